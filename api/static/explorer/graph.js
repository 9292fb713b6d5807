/* The actor-graph page: draws the server's view (positions fixed, physics off) and
 * opens panels with the evidence. Text from the news only reaches the DOM through
 * textContent; links are built with URL encoding, external ones only for http(s). */
var nodes, edges, network;
(function () {
  "use strict";
  var marks = window.kgMarks = {script: performance.now()};  // read by the benchmark
  var view = expand(JSON.parse(document.getElementById("kg-view").textContent));
  function expand(v) {  // rows back to objects (see kg/viz/view.py compact)
    var nf = v.fields.node, focus = {};
    v.focus.forEach(function (id) { focus[id] = true; });
    v.nodes = v.nodes.map(function (row) {
      var n = {};
      nf.forEach(function (k, i) { n[k] = row[i]; });
      n.focus = !!focus[n.id];
      return n;
    });
    v.edges = v.edges.map(function (row, i) {
      var p = v.predicates[row[2]];
      return {id: "e" + i, from: v.nodes[row[0]].id, to: v.nodes[row[1]].id,
              predicate: p[0], label: p[1], count: row[3], negated: !!(row[4] & 1),
              hedged: !!(row[4] & 2), attributed: !!(row[4] & 4), confidence: row[5]};
    });
    return v;
  }
  var colourBy = document.getElementById("colour-by");
  var panel = document.getElementById("panel");
  var panelBody = document.getElementById("panel-body");
  var big = !view.labelled;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function link(href, text, cls) {
    var a = el("a", cls, text);
    a.href = href;
    return a;
  }
  function safeUrl(url) {
    try {
      var u = new URL(url, window.location.href);
      return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
    } catch (err) {
      return null;
    }
  }
  function entityPath(iri) {
    var m = /\/id\/(.+)$/.exec(iri);
    return m ? "/entity/" + m[1].split("/").map(encodeURIComponent).join("/") : null;
  }
  function graphUrl(params) {
    var q = new URLSearchParams(params);
    return "/graph?" + q.toString();
  }
  function nodeTip(n) {
    var box = el("div");
    box.appendChild(el("div", "tip-rel", n.label));
    box.appendChild(el("div", "tip-meta", n.type + " \u00b7 " + n.degree + " relations"));
    return box;
  }
  function edgeTip(e, byId) {
    var box = el("div");
    box.appendChild(el("div", "tip-rel", byId[e.from].label + " \u2014 " + e.label +
                       " \u2192 " + byId[e.to].label));
    var meta = e.count + (e.count === 1 ? " statement" : " statements");
    if (e.confidence !== null) meta += " \u00b7 confidence up to " + e.confidence;
    if (e.hedged) meta += " \u00b7 hedged or reported";
    box.appendChild(el("div", "tip-meta", meta + " \u00b7 click for the sentences"));
    return box;
  }

  var byId = {};
  view.nodes.forEach(function (n) { byId[n.id] = n; });
  function groupOf(n) {
    if (colourBy && colourBy.value === "community") {
      var known = n.community >= 0 && n.community < view.colours.community.length;
      return "c" + (known ? n.community : -1);
    }
    return "t" + (view.colours.type[n.type] ? n.type : "Thing");
  }
  function groups() {  // one colour per group: vis-network styles groups, not items
    var out = {}, pal = view.colours.community;
    Object.keys(view.colours.type).forEach(function (t) {
      var c = view.colours.type[t];
      out["t" + t] = {color: {background: c, border: "#ffffff",
                              highlight: {background: c, border: "#111"}}};
    });
    for (var i = -1; i < pal.length; i++) {
      var c = i >= 0 ? pal[i] : "#c8ccd2";
      out["c" + i] = {color: {background: c, border: "#ffffff",
                              highlight: {background: c, border: "#111"}}};
    }
    return out;
  }
  function visNode(n) {
    var item = {id: n.id, label: n.label, x: n.x, y: n.y, size: n.size, type: n.type,
                degree: n.degree, community: n.community, score: n.score,
                group: groupOf(n)};
    if (n.focus) { item.borderWidth = 4; item.color = {border: "#111"}; }
    return item;
  }
  nodes = new vis.DataSet(view.nodes.map(visNode));
  var NEGATED = {color: "#c0392b", highlight: "#7b241c", hover: "#7b241c"};
  var edgeById = {};
  edges = new vis.DataSet(view.edges.map(function (e) {
    edgeById[e.id] = e;
    var item = {id: e.id, from: e.from, to: e.to, predicate: e.predicate, count: e.count,
                negated: e.negated, hedged: e.hedged, name: e.label};
    if (!big) item.label = e.label;
    if (e.count > 1) item.width = 1 + Math.log2(e.count);
    if (e.hedged) item.dashes = [6, 4];
    if (e.negated) item.color = NEGATED;
    return item;
  }));
  marks.data = performance.now();
  var options = {
    physics: {enabled: false},
    layout: {improvedLayout: false, randomSeed: 7},
    interaction: {hover: !big, tooltipDelay: 150, hideEdgesOnDrag: big,
                  hideEdgesOnZoom: big, keyboard: false, multiselect: false},
    groups: groups(),
    nodes: {shape: "dot", borderWidth: 1.5, scaling: {label: {enabled: big, drawThreshold: 9}},
            font: {size: 16, face: "DejaVu Sans, sans-serif", strokeWidth: 3,
                   strokeColor: "#ffffff"}},
    edges: {arrows: {to: {enabled: true, scaleFactor: 0.55}}, width: 1,
            color: {color: "#8a9bb0", highlight: "#1f3b57", hover: "#1f3b57"},
            smooth: big ? false : {enabled: true, type: "continuous", roundness: 0.2},
            font: {size: 11, color: "#34495e", align: "middle",
                   face: "DejaVu Sans, sans-serif", strokeWidth: 3,
                   strokeColor: "#ffffff"},
            selectionWidth: 2, hoverWidth: 1.5}
  };
  network = new vis.Network(document.getElementById("mynetwork"),
                            {nodes: nodes, edges: edges}, options);
  marks.network = performance.now();
  /* tooltips are built when first hovered, not for every item up front */
  network.on("hoverNode", function (p) {
    var item = nodes.get(p.node);
    if (item && !item.title) nodes.update({id: p.node, title: nodeTip(byId[p.node])});
  });
  network.on("hoverEdge", function (p) {
    var item = edges.get(p.edge);
    if (item && !item.title) edges.update({id: p.edge, title: edgeTip(edgeById[p.edge], byId)});
  });
  network.once("afterDrawing", function () {
    window.kgFirstDraw = performance.now();
    document.body.setAttribute("data-drawn", "1");
  });
  var focus = view.nodes.filter(function (n) { return n.focus; });
  if (focus.length) network.selectNodes([focus[0].id]);

  if (colourBy) colourBy.addEventListener("change", function () {
    nodes.update(view.nodes.map(function (n) { return {id: n.id, group: groupOf(n)}; }));
    document.getElementById("legend-type").hidden = colourBy.value !== "type";
    document.getElementById("legend-community").hidden = colourBy.value !== "community";
  });

  /* ---- panels ---------------------------------------------------------------- */
  var lastFocus = null;
  function openPanel(title, kind) {
    lastFocus = document.activeElement;
    panelBody.textContent = "";
    panel.hidden = false;
    panel.setAttribute("data-kind", kind);
    document.getElementById("panel-title").textContent = title;
    panel.focus();
  }
  function closePanel() {
    panel.hidden = true;
    network.unselectAll();
    if (lastFocus && lastFocus.focus) lastFocus.focus();
  }
  document.getElementById("panel-close").addEventListener("click", closePanel);
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape" && !panel.hidden) closePanel();
  });
  function failed(what) {
    panelBody.appendChild(el("p", "error", "Could not load " + what + "."));
  }
  function getJson(url) {
    return fetch(url, {headers: {Accept: "application/json"}}).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.json();
    });
  }

  function openNode(id) {
    var n = byId[id];
    openPanel(n ? n.label : id, "node");
    var hops = el("p", "links");
    hops.appendChild(document.createTextNode("Neighbourhood: "));
    [1, 2, 3].forEach(function (h) {
      hops.appendChild(link(graphUrl({entity: id, hops: h}), h + " hop" + (h > 1 ? "s" : ""),
                            "hop"));
      hops.appendChild(document.createTextNode(" "));
    });
    var page = entityPath(id);
    if (page) hops.appendChild(link(page, "Entity page", "entity-link"));
    panelBody.appendChild(hops);
    getJson("/api/entity?iri=" + encodeURIComponent(id)).then(function (d) {
      var head = el("p", "meta", d.type + (d.roles && d.roles.length ? " \u00b7 " + d.roles.join(", ") : ""));
      panelBody.appendChild(head);
      if (d.aliases && d.aliases.length)
        panelBody.appendChild(el("p", "aliases", "Also: " + d.aliases.join(", ")));
      (d.relations || []).forEach(function (g) {
        var sec = el("section", "rel-group");
        sec.appendChild(el("h3", null, g.label));
        var ul = el("ul");
        (g.items || []).forEach(function (it) {
          var li = el("li", it.statements && it.statements.every(function (s) { return s.negated; }) ? "negated" : null);
          li.appendChild(document.createTextNode(it.direction === "in" ? "\u2190 " : "\u2192 "));
          var p = entityPath(it.other.iri || "");
          li.appendChild(p ? link(p, it.other.label) : el("span", null, it.other.label || it.other.text));
          if (it.statements && it.statements.length)
            li.appendChild(el("span", "count", " (" + it.statements.length + ")"));
          ul.appendChild(li);
        });
        sec.appendChild(ul);
        panelBody.appendChild(sec);
      });
      if (d.articles && d.articles.length) {
        var sec = el("section", "articles");
        sec.appendChild(el("h3", null, "Articles (" + d.articles.length + ")"));
        var ul = el("ul");
        d.articles.forEach(function (a) {
          var li = el("li");
          li.appendChild(link("/article/" + encodeURIComponent(a.id), a.title || a.id));
          if (a.date) li.appendChild(el("span", "date", " " + a.date));
          ul.appendChild(li);
        });
        sec.appendChild(ul);
        panelBody.appendChild(sec);
      }
      if (d.quotes && d.quotes.length) {
        var qs = el("section", "quotes");
        qs.appendChild(el("h3", null, "Quotes (" + d.quotes.length + ")"));
        d.quotes.forEach(function (q) { qs.appendChild(el("blockquote", null, q.text)); });
        panelBody.appendChild(qs);
      }
    }).catch(function () { failed("the actor"); });
  }

  function marked(text, spans) {
    var box = el("p", "sentence");
    var cuts = [];
    ["subject", "predicate", "object"].forEach(function (k) {
      var s = spans && spans[k];
      if (s && s[0] < s[1]) cuts.push({b: s[0], e: s[1], k: k});
    });
    cuts.sort(function (a, b) { return a.b - b.b; });
    var at = 0;
    cuts.forEach(function (c) {
      if (c.b < at) return;  // overlapping span: keep the first
      box.appendChild(document.createTextNode(text.slice(at, c.b)));
      box.appendChild(el("mark", "m-" + c.k, text.slice(c.b, c.e)));
      at = c.e;
    });
    box.appendChild(document.createTextNode(text.slice(at)));
    return box;
  }

  function openEdge(id) {
    var e = edges.get(id);
    var s = byId[e.from], o = byId[e.to];
    openPanel(s.label + " \u2014 " + e.name + " \u2192 " + o.label, "edge");
    var url = "/api/edge?" + new URLSearchParams({s: e.from, p: e.predicate, o: e.to});
    getJson(url).then(function (items) {
      panelBody.appendChild(el("p", "meta", items.length + (items.length === 1 ? " sentence" : " sentences")));
      items.forEach(function (ev) {
        if (!!ev.negated !== !!e.negated) return;
        var card = el("article", "evidence" + (ev.negated ? " negated" : "") +
                      (ev.modality && ev.modality !== "asserted" ? " hedged" : ""));
        card.appendChild(marked(ev.sentence || "", ev.spans));
        var meta = el("p", "meta");
        var flags = [];
        if (ev.negated) flags.push("negated");
        if (ev.modality && ev.modality !== "asserted") flags.push(ev.modality);
        if (ev.attributed_to) flags.push("according to " + ev.attributed_to);
        if (ev.confidence !== null && ev.confidence !== undefined)
          flags.push("confidence " + Number(ev.confidence).toFixed(2));
        meta.textContent = flags.join(" \u00b7 ");
        card.appendChild(meta);
        var a = ev.article || {};
        var src = el("p", "source");
        if (a.id) src.appendChild(link("/article/" + encodeURIComponent(a.id), a.title || a.id, "article-link"));
        var bits = [a.date, a.source].filter(Boolean).join(" \u00b7 ");
        if (bits) src.appendChild(el("span", "date", " " + bits + " "));
        var ext = a.url ? safeUrl(a.url) : null;
        if (ext) { var x = link(ext, "original \u2197", "external"); x.rel = "noopener noreferrer"; src.appendChild(x); }
        card.appendChild(src);
        panelBody.appendChild(card);
      });
    }).catch(function () { failed("the sentences"); });
  }

  var pendingClick = null;  // a click waits a moment: it may be half a double-click
  network.on("click", function (p) {
    clearTimeout(pendingClick);
    pendingClick = setTimeout(function () {
      if (p.nodes.length) openNode(p.nodes[0]);
      else if (p.edges.length) openEdge(p.edges[0]);
    }, 250);
  });
  network.on("doubleClick", function (p) {
    clearTimeout(pendingClick);
    if (p.nodes.length) window.location.href = graphUrl({entity: p.nodes[0], hops: 1});
  });
  window.kgOpenNode = openNode;
  window.kgOpenEdge = openEdge;

  /* ---- find an actor (keyboard: type, Enter) ---------------------------------- */
  var search = document.getElementById("find");
  var list = document.getElementById("node-names");
  function fillNames() {  // the 2,000 most central names, once the picture is drawn
    view.nodes.slice().sort(function (a, b) { return b.score - a.score; }).slice(0, 2000)
      .forEach(function (n) {
        var o = document.createElement("option");
        o.value = n.label;
        list.appendChild(o);
      });
  }
  if (list) network.once("afterDrawing", function () { setTimeout(fillNames, 0); });
  function find() {
    var v = search.value.trim().toLowerCase();
    var hit = view.nodes.filter(function (n) { return n.label.toLowerCase() === v; })[0];
    if (!hit) return;
    network.selectNodes([hit.id]);
    network.focus(hit.id, {scale: 1.3, animation: false});
    openNode(hit.id);
  }
  if (search) {
    search.addEventListener("change", find);
    search.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter") { ev.preventDefault(); find(); }
    });
  }

  /* ---- PNG of the canvas ------------------------------------------------------- */
  var png = document.getElementById("download-png");
  if (png) png.addEventListener("click", function () {
    var canvas = document.querySelector("#mynetwork canvas");
    var a = document.createElement("a");
    a.href = canvas.toDataURL("image/png");
    a.download = "kg-graph.png";
    document.body.appendChild(a);
    a.click();
    a.remove();
  });
})();
/* path view: the step buttons open the same evidence panel */
(function () {
  "use strict";
  document.querySelectorAll(".evidence-button").forEach(function (b) {
    b.addEventListener("click", function () {
      var hit = edges.get({filter: function (e) {
        return e.from === b.dataset.s && e.to === b.dataset.o && e.predicate === b.dataset.p;
      }});
      if (hit.length) { network.selectEdges([hit[0].id]); window.kgOpenEdge(hit[0].id); }
    });
  });
})();
