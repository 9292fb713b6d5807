"""``/query``: a YASGUI SPARQL editor over this server's ``/sparql``, fully offline.

YASGUI (npm ``@zazuko/yasgui`` 4.6.2, MIT; see ``api/static/yasgui/NOTICE.md``) is
served from ``/static/yasgui/``. Nothing on the page can leave the host on its own:

* the endpoint is this server's ``/sparql``, the endpoint catalogue lists only it, new
  tabs do not copy another endpoint, and a share link's ``endpoint`` is overridden;
* the ``class`` and ``property`` autocompleters (they call lov.linkeddata.es) are
  unregistered; prefixes come from YASGUI's bundled list (``prefixCcApi: null``);
* ``persistenceId: null`` (and none for the prefix completer): nothing is kept in
  localStorage between visits.

The page offers :data:`EXAMPLES`; a click opens one in its own tab and runs it.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from string import Template

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter(tags=["pages"])

PREFIXES = """\
PREFIX kg: <https://kg.example/ontology#>
PREFIX schema: <http://schema.org/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
"""


@dataclass(frozen=True)
class Example:
    """A ready-made query shown on the page.

    Attributes:
        key: stable id, used in the page's HTML (``data-example``).
        title: the button's and the tab's name.
        description: one sentence, shown as the button's tooltip.
        query: the full query, PREFIX lines included (it runs in any SPARQL tool).
    """

    key: str
    title: str
    description: str
    query: str


EXAMPLES: tuple[Example, ...] = (
    Example(
        "who-did-what",
        "Who did what to whom",
        "Asserted relations between actors, with their labels.",
        PREFIXES
        + """
# Who did what to whom: the asserted relations between actors
SELECT ?who ?did ?whom WHERE {
  ?s ?p ?o .
  ?p a kg:Relation ;
     rdfs:label ?did .
  ?s rdfs:label ?who .
  ?o rdfs:label ?whom .
}
ORDER BY ?who ?did ?whom
LIMIT 200
""",
    ),
    Example(
        "who-said-what",
        "Who said what",
        "Quotes with their speaker and the headline of the article.",
        PREFIXES
        + """
# Who said what: quotes, their speaker and the article they were reported in
SELECT ?speaker ?quote ?headline WHERE {
  ?q a kg:Quote ;
     kg:speaker/rdfs:label ?speaker ;
     schema:text ?quote ;
     prov:wasDerivedFrom/schema:isPartOf ?article .
  OPTIONAL { ?article schema:headline ?headline }
}
ORDER BY ?speaker ?quote
LIMIT 200
""",
    ),
    Example(
        "actor-relations",
        "An actor's relations, with sentences",
        "Every relation of Cecile Bossy and the sentence it was read from "
        "(statement → prov:wasDerivedFrom → sentence).",
        PREFIXES
        + """
# One actor's relations, each with the sentence it was read from
SELECT ?predicate ?object ?modality ?sentence WHERE {
  ?actor rdfs:label "Cecile Bossy" .
  ?st rdf:subject ?actor ;
      rdf:predicate/rdfs:label ?predicate ;
      rdf:object ?o ;
      kg:modality ?modality ;
      prov:wasDerivedFrom/schema:text ?sentence .
  OPTIONAL { ?o rdfs:label ?olabel }
  BIND(COALESCE(?olabel, ?o) AS ?object)
}
ORDER BY ?predicate ?object
""",
    ),
    Example(
        "relations-by-date",
        "Relations by date",
        "Statements dated by the claim (dcterms:date) or else by the article "
        "(schema:datePublished), oldest first.",
        PREFIXES
        + """
# Relations by date: the claim's own date, else the article's publication date
SELECT ?date ?who ?did ?whom ?headline WHERE {
  ?st a kg:Statement ;
      rdf:subject/rdfs:label ?who ;
      rdf:predicate/rdfs:label ?did ;
      rdf:object ?o ;
      prov:wasDerivedFrom/schema:isPartOf ?article .
  OPTIONAL { ?o rdfs:label ?olabel }
  OPTIONAL { ?st dcterms:date ?claimDate }
  OPTIONAL { ?article schema:datePublished ?published }
  OPTIONAL { ?article schema:headline ?headline }
  BIND(COALESCE(?olabel, ?o) AS ?whom)
  BIND(COALESCE(?claimDate, ?published) AS ?date)
  FILTER(BOUND(?date))
}
ORDER BY ?date ?who ?did
LIMIT 200
""",
    ),
)


@router.get(
    "/query",
    response_class=HTMLResponse,
    summary="SPARQL query page (YASGUI) with example queries",
)
def query_page() -> HTMLResponse:
    """The YASGUI editor on this server's ``/sparql``, with the example queries."""
    return HTMLResponse(render_query_page(EXAMPLES))


def render_query_page(examples: tuple[Example, ...]) -> str:
    """The page's HTML: buttons for ``examples``, their queries as embedded JSON.

    Example:
        >>> "yasgui.min.js" in render_query_page(EXAMPLES)
        True
    """
    buttons = "\n".join(
        f'<li><button type="button" class="example" data-example="{html.escape(e.key)}"'
        f' title="{html.escape(e.description)}">{html.escape(e.title)}</button></li>'
        for e in examples
    )
    data = [{"key": e.key, "title": e.title, "query": e.query} for e in examples]
    # JSON inside <script>: no "<" may appear raw (no "</script>" breakout)
    payload = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")
    return _PAGE.substitute(
        title=html.escape("kg — SPARQL query"), buttons=buttons, examples=payload
    )


_PAGE = Template("""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/yasgui/yasgui.min.css">
<style>
 body { margin: 0; font-family: "DejaVu Sans", Arial, sans-serif; color: #1f2d3d;
        background: #f5f7fa; }
 header.bar { display: flex; align-items: baseline; gap: 1.5em; padding: .55em 1.2em;
        background: #1f3b57; color: #fff; }
 header.bar h1 { font-size: 1.15em; margin: 0; font-weight: 600; }
 header.bar h1 a { color: #fff; text-decoration: none; }
 header.bar nav { margin-left: auto; display: flex; gap: 1.2em; font-size: .92em; }
 header.bar nav a { color: #cfe3f3; text-decoration: none; }
 header.bar nav a:hover { color: #fff; text-decoration: underline; }
 section.examples { display: flex; flex-wrap: wrap; align-items: center; gap: .5em;
        padding: .6em 1.2em .2em; font-size: .9em; }
 section.examples h2 { font-size: 1em; margin: 0 .3em 0 0; font-weight: 600;
        color: #1f3b57; }
 section.examples ol { display: flex; flex-wrap: wrap; gap: .5em; list-style: none;
        margin: 0; padding: 0; counter-reset: ex; }
 section.examples li { counter-increment: ex; }
 button.example { font: inherit; cursor: pointer; border: 1px solid #9fbbd3;
        background: #fff; color: #1f3b57; border-radius: 1em; padding: .2em .85em; }
 button.example::before { content: counter(ex) ". "; color: #6b8299; }
 button.example:hover, button.example.active { background: #2e86ab; color: #fff;
        border-color: #2e86ab; }
 button.example:hover::before, button.example.active::before { color: #dbeefa; }
 p.hint { margin: .35em 1.2em 0; font-size: .82em; color: #5a6b7c; }
 p.hint code { background: #e8eef4; padding: 0 .25em; border-radius: 3px; }
 main { padding: 0 1.2em 1.5em; }
 #yasgui { background: #fff; }
 .yasgui .yasr table.dataTable td { font-size: .88em; }
 .yasgui .yasr table.dataTable td .rowNumber { color: #8a99a8; padding-right: .8em; }
</style>
</head>
<body>
<header class="bar">
 <h1><a href="/">kg</a> — SPARQL query</h1>
 <nav><a href="/">Home</a><a href="/graph">Actor graph</a>
 <a href="/sparql">Endpoint</a><a href="/docs">API docs</a></nav>
</header>
<section class="examples" aria-label="Example queries">
 <h2>Examples</h2>
 <ol>
$buttons
 </ol>
</section>
<p class="hint">Queries run read-only on this server's <code>/sparql</code>, over the
union of all articles; <kbd>Ctrl</kbd>+<kbd>Enter</kbd> runs the query.
The prefixes <code>kg schema rdf rdfs skos prov dcterms owl xsd nif</code>
are predeclared.</p>
<main><div id="yasgui"></div></main>
<script id="kg-examples" type="application/json">$examples</script>
<script src="/static/yasgui/yasgui.min.js"></script>
<script>
(function () {
  "use strict";
  var endpoint = new URL("/sparql", location.href).href;
  var examples = JSON.parse(document.getElementById("kg-examples").textContent);
  // the class/property autocompleters ask lov.linkeddata.es: unregister them
  var offline = ["variables", "prefixes"];
  Yasgui.Yasqe.defaults.autocompleters = offline.slice();
  Yasgui.defaults.yasqe.autocompleters = offline.slice();
  delete Yasgui.Yasqe.Autocompleters["class"];
  delete Yasgui.Yasqe.Autocompleters["property"];
  // the bundled prefix list needs no cache in localStorage
  Yasgui.Yasqe.Autocompleters.prefixes.persistenceId = null;
  Yasgui.Yasqe.defaults.editorHeight = "250px";  // tabs override a config value
  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: {endpoint: endpoint, method: "POST"},
    copyEndpointOnNewTab: false,
    endpointCatalogueOptions: {getData: function () { return [{endpoint: endpoint}]; }},
    persistenceId: null,
    corsProxy: undefined,
    // a share link may name another endpoint: always query this server
    populateFromUrl: function (cfg) {
      cfg.requestConfig.endpoint = endpoint;
      return cfg;
    },
    tabName: examples[0].title,
    yasqe: {value: examples[0].query, prefixCcApi: null,
            autocompleters: offline.slice(), collapsePrefixesOnLoad: true},
  });
  window.yasgui = yasgui;
  var buttons = document.querySelectorAll("button.example");
  function mark(title) {
    buttons.forEach(function (b) {
      b.classList.toggle("active", b.textContent === title);
    });
  }
  mark(yasgui.getTab().getName());
  yasgui.on("tabSelect", function (_y, id) {
    var tab = yasgui.getTab(id); mark(tab ? tab.getName() : "");
  });
  // an example opens in its own tab (reused if open) and runs
  buttons.forEach(function (button) {
    button.addEventListener("click", function () {
      var ex = examples.find(function (e) { return e.key === button.dataset.example; });
      var tab = yasgui.tabNameTaken(ex.title);
      if (tab) {
        yasgui.selectTabId(tab.getId());
        tab.setQuery(ex.query);
      } else {
        tab = yasgui.addTab(true, {name: ex.title, yasqe: {value: ex.query}});
      }
      mark(ex.title);
      tab.query();
    });
  });
})();
</script>
</body></html>
""")
