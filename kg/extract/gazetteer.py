"""Word lists the entity rules rely on: places, demonyms and name heads.

The place gazetteer (countries with their demonyms, capitals and common short
forms; continents and world regions) makes a known place name a Place with
strong evidence whatever the NER label, and gives :func:`demonym_place`
(``French`` -> ``France``). The head-word lists type a name by its last word
(``... Road`` is a Place, ``... University`` an Organization).

Example:
    >>> demonym_place("Syrian"), canonical_place("U.S.")
    ('Syria', 'United States')
"""

from __future__ import annotations

import re
import unicodedata

# country | demonyms (adjective, plural noun) | capital | other names
_COUNTRIES = """
Afghanistan|Afghan,Afghans|Kabul|
Albania|Albanian,Albanians|Tirana|
Algeria|Algerian,Algerians|Algiers|
Angola|Angolan,Angolans|Luanda|
Argentina|Argentine,Argentinian,Argentinians,Argentines|Buenos Aires|
Armenia|Armenian,Armenians|Yerevan|
Australia|Australian,Australians|Canberra|
Austria|Austrian,Austrians|Vienna|
Azerbaijan|Azerbaijani,Azerbaijanis|Baku|
Bahrain|Bahraini,Bahrainis|Manama|
Bangladesh|Bangladeshi,Bangladeshis|Dhaka|
Belarus|Belarusian,Belarusians|Minsk|
Belgium|Belgian,Belgians|Brussels|
Bolivia|Bolivian,Bolivians|La Paz|
Bosnia and Herzegovina|Bosnian,Bosnians|Sarajevo|Bosnia
Brazil|Brazilian,Brazilians|Brasilia|
Bulgaria|Bulgarian,Bulgarians|Sofia|
Burkina Faso|Burkinabe|Ouagadougou|
Burundi|Burundian,Burundians|Gitega|
Cambodia|Cambodian,Cambodians|Phnom Penh|
Cameroon|Cameroonian,Cameroonians|Yaounde|
Canada|Canadian,Canadians|Ottawa|
Central African Republic|Central African|Bangui|
Chad|Chadian,Chadians|N'Djamena|
Chile|Chilean,Chileans|Santiago|
China|Chinese|Beijing|People's Republic of China,PRC
Colombia|Colombian,Colombians|Bogota|
Congo|Congolese|Kinshasa|Democratic Republic of the Congo,DRC,DR Congo
Costa Rica|Costa Rican,Costa Ricans|San Jose|
Croatia|Croatian,Croatians,Croat,Croats|Zagreb|
Cuba|Cuban,Cubans|Havana|
Cyprus|Cypriot,Cypriots|Nicosia|
Czech Republic|Czech,Czechs|Prague|Czechia
Denmark|Danish,Danes|Copenhagen|
Dominican Republic|Dominican,Dominicans|Santo Domingo|
Ecuador|Ecuadorian,Ecuadorians|Quito|
Egypt|Egyptian,Egyptians|Cairo|
El Salvador|Salvadoran,Salvadorans|San Salvador|
Eritrea|Eritrean,Eritreans|Asmara|
Estonia|Estonian,Estonians|Tallinn|
Ethiopia|Ethiopian,Ethiopians|Addis Ababa|
Finland|Finnish,Finns|Helsinki|
France|French|Paris|
Georgia|Georgian,Georgians|Tbilisi|
Germany|German,Germans|Berlin|
Ghana|Ghanaian,Ghanaians|Accra|
Greece|Greek,Greeks|Athens|
Guatemala|Guatemalan,Guatemalans|Guatemala City|
Guinea|Guinean,Guineans|Conakry|
Haiti|Haitian,Haitians|Port-au-Prince|
Honduras|Honduran,Hondurans|Tegucigalpa|
Hong Kong|Hongkonger,Hongkongers||
Hungary|Hungarian,Hungarians|Budapest|
Iceland|Icelandic,Icelanders|Reykjavik|
India|Indian,Indians|New Delhi|
Indonesia|Indonesian,Indonesians|Jakarta|
Iran|Iranian,Iranians|Tehran|
Iraq|Iraqi,Iraqis|Baghdad|
Ireland|Irish|Dublin|Republic of Ireland
Israel|Israeli,Israelis|Jerusalem|
Italy|Italian,Italians|Rome|
Ivory Coast|Ivorian,Ivorians|Yamoussoukro|Cote d'Ivoire
Jamaica|Jamaican,Jamaicans|Kingston|
Japan|Japanese|Tokyo|
Jordan|Jordanian,Jordanians|Amman|
Kazakhstan|Kazakh,Kazakhs|Astana|
Kenya|Kenyan,Kenyans|Nairobi|
Kosovo|Kosovar,Kosovars|Pristina|
Kuwait|Kuwaiti,Kuwaitis|Kuwait City|
Kyrgyzstan|Kyrgyz|Bishkek|
Laos|Laotian,Laotians|Vientiane|
Latvia|Latvian,Latvians|Riga|
Lebanon|Lebanese|Beirut|
Liberia|Liberian,Liberians|Monrovia|
Libya|Libyan,Libyans|Tripoli|
Lithuania|Lithuanian,Lithuanians|Vilnius|
Luxembourg|Luxembourgish,Luxembourgers||
Madagascar|Malagasy|Antananarivo|
Malawi|Malawian,Malawians|Lilongwe|
Malaysia|Malaysian,Malaysians|Kuala Lumpur|
Mali|Malian,Malians|Bamako|
Malta|Maltese|Valletta|
Mauritania|Mauritanian,Mauritanians|Nouakchott|
Mexico|Mexican,Mexicans|Mexico City|
Moldova|Moldovan,Moldovans|Chisinau|
Mongolia|Mongolian,Mongolians|Ulaanbaatar|
Montenegro|Montenegrin,Montenegrins|Podgorica|
Morocco|Moroccan,Moroccans|Rabat|
Mozambique|Mozambican,Mozambicans|Maputo|
Myanmar|Burmese|Naypyidaw|Burma
Namibia|Namibian,Namibians|Windhoek|
Nepal|Nepali,Nepalese|Kathmandu|
Netherlands|Dutch|Amsterdam|Holland,The Netherlands
New Zealand|New Zealander,New Zealanders|Wellington|
Nicaragua|Nicaraguan,Nicaraguans|Managua|
Niger|Nigerien,Nigeriens|Niamey|
Nigeria|Nigerian,Nigerians|Abuja|
North Korea|North Korean,North Koreans|Pyongyang|DPRK
North Macedonia|Macedonian,Macedonians|Skopje|Macedonia
Norway|Norwegian,Norwegians|Oslo|
Oman|Omani,Omanis|Muscat|
Pakistan|Pakistani,Pakistanis|Islamabad|
Palestine|Palestinian,Palestinians|Ramallah|Palestinian territories
Panama|Panamanian,Panamanians|Panama City|
Paraguay|Paraguayan,Paraguayans|Asuncion|
Peru|Peruvian,Peruvians|Lima|
Philippines|Filipino,Filipinos,Philippine|Manila|The Philippines
Poland|Polish,Poles|Warsaw|
Portugal|Portuguese|Lisbon|
Qatar|Qatari,Qataris|Doha|
Romania|Romanian,Romanians|Bucharest|
Russia|Russian,Russians|Moscow|Russian Federation
Rwanda|Rwandan,Rwandans|Kigali|
Saudi Arabia|Saudi,Saudis,Saudi Arabian|Riyadh|
Senegal|Senegalese|Dakar|
Serbia|Serbian,Serbians,Serb,Serbs|Belgrade|
Sierra Leone|Sierra Leonean|Freetown|
Singapore|Singaporean,Singaporeans||
Slovakia|Slovak,Slovaks|Bratislava|
Slovenia|Slovenian,Slovenians,Slovene|Ljubljana|
Somalia|Somali,Somalis|Mogadishu|
South Africa|South African,South Africans|Pretoria|
South Korea|South Korean,South Koreans|Seoul|Republic of Korea
South Sudan|South Sudanese|Juba|
Spain|Spanish,Spaniards|Madrid|
Sri Lanka|Sri Lankan,Sri Lankans|Colombo|
Sudan|Sudanese|Khartoum|
Sweden|Swedish,Swedes|Stockholm|
Switzerland|Swiss|Bern|
Syria|Syrian,Syrians|Damascus|
Taiwan|Taiwanese|Taipei|
Tajikistan|Tajik,Tajiks|Dushanbe|
Tanzania|Tanzanian,Tanzanians|Dodoma|
Thailand|Thai,Thais|Bangkok|
Tunisia|Tunisian,Tunisians|Tunis|
Turkey|Turkish,Turks|Ankara|Turkiye
Turkmenistan|Turkmen|Ashgabat|
Uganda|Ugandan,Ugandans|Kampala|
Ukraine|Ukrainian,Ukrainians|Kyiv|Kiev
United Arab Emirates|Emirati,Emiratis|Abu Dhabi|UAE,U.A.E.
United Kingdom|British,Briton,Britons|London|UK,U.K.,Great Britain,Britain
United States|American,Americans|Washington|US,U.S.,USA,U.S.A.,United States of America
Uruguay|Uruguayan,Uruguayans|Montevideo|
Uzbekistan|Uzbek,Uzbeks|Tashkent|
Venezuela|Venezuelan,Venezuelans|Caracas|
Vietnam|Vietnamese|Hanoi|Viet Nam
Yemen|Yemeni,Yemenis|Sanaa|
Zambia|Zambian,Zambians|Lusaka|
Zimbabwe|Zimbabwean,Zimbabweans|Harare|
England|English|London|
Scotland|Scottish,Scots|Edinburgh|
Wales|Welsh|Cardiff|
Africa|African,Africans||
Asia|Asian,Asians||
Europe|European,Europeans||
North America|North American,North Americans||
South America|South American,South Americans||
Latin America|Latin American,Latin Americans||
Middle East|Middle Eastern||
Antarctica|Antarctic||
Oceania|||
Caribbean|Caribbean||
Scandinavia|Scandinavian,Scandinavians||
Balkans|Balkan||
"""
_KEY_STRIP = str.maketrans({"’": "'", "‘": "'", ".": ""})
_ABBREV = re.compile(r"(?:[A-Z]\.?){2,5}")


def fold(name: str) -> str:
    """Accent-, case- and punctuation-folded comparison form of a name."""
    text = unicodedata.normalize("NFKD", name.translate(_KEY_STRIP))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    words = text.split()
    if words and words[0] == "the" and len(words) > 1:
        words = words[1:]
    return " ".join(words)


def _load() -> tuple[dict[str, str], dict[str, str]]:
    places: dict[str, str] = {}
    demonyms: dict[str, str] = {}
    for line in _COUNTRIES.strip().splitlines():
        name, dems, capital, others = line.split("|")
        for alias in [name, *others.split(",")]:
            if alias:
                places[fold(alias)] = name
        if capital:
            places.setdefault(fold(capital), capital)
        for dem in dems.split(","):
            if dem:
                demonyms.setdefault(fold(dem), name)
    return places, demonyms


_PLACES, _DEMONYMS = _load()


def canonical_place(name: str) -> str | None:
    """The full name of a known place written as an abbreviation (``U.S.``).

    Full names are kept as written (``Britain`` stays ``Britain``); only short
    forms (capitals and dots: ``UK``, ``U.S.``, ``DPRK``) expand.
    """
    if not _ABBREV.fullmatch(name.strip()):
        return None
    return _PLACES.get(fold(name))


def is_known_place(name: str) -> bool:
    return fold(name) in _PLACES


def demonym_place(word: str) -> str | None:
    """The place a nationality word stands for: ``French`` -> ``France``.

    Example:
        >>> demonym_place("British")
        'United Kingdom'
    """
    return _DEMONYMS.get(fold(word))


def place_names(place: str) -> frozenset[str]:
    """Every folded name of the same place (``United Kingdom`` -> uk, u k, ...)."""
    return frozenset(k for k, v in _PLACES.items() if v == place)


# the last word of a name that says what kind of thing it names
ORG_HEADS = frozenset(
    """university college school academy institute institution foundation
    association society council committee commission board agency authority
    department ministry office bureau service court parliament assembly
    congress senate party church mosque army navy police force forces corps
    company corporation corp inc ltd llc group bank fund trust union league
    federation organisation organization network news times post herald
    gazette journal magazine tribune press museum gallery library
    hospital clinic club team program programme project initiative campaign
    coalition alliance movement front brigade legion""".split()
)
PLACE_HEADS = frozenset(
    """road street avenue boulevard lane highway motorway bridge tunnel square
    park airport station stadium arena harbour harbor port island islands
    peninsula mountain mountains mount hill valley river lake sea ocean gulf bay
    channel strait coast beach desert forest canyon falls province county district
    region city town village base plaza""".split()
)
EVENT_HEADS = frozenset(
    """festival election elections war games olympics cup championship
    championships tournament summit conference expo fair ceremony pilgrimage
    marathon derby""".split()
)
VEHICLE_WORDS = frozenset(
    "shuttle spacecraft rocket satellite aircraft airliner".split()
)
# words that mark a person when they stand before a name or in its apposition
PERSON_NOUNS = frozenset(
    """man woman boy girl mother father wife husband son daughter sister brother
    widow uncle aunt actor actress musician singer songwriter singer-songwriter
    rapper comedian illustrator artist painter photographer designer writer
    author novelist poet journalist reporter columnist player striker
    midfielder defender goalkeeper athlete student teacher detective officer mp
    spokesperson resident citizen veteran pastor priest imam rabbi nurse
    surgeon physician engineer farmer businessman businesswoman entrepreneur
    billionaire lawmaker politician candidate activist campaigner victim
    survivor suspect defendant mayor sheriff inspector superintendent constable
    sergeant lieutenant colonel major astronaut pilot""".split()
)
# honorifics and titles written before a name ("Prime Minister John Key")
TITLES = frozenset(
    """mr mrs ms miss mx dr prof sir dame lady lord president minister senator
    governor mayor prefect judge justice general colonel captain chancellor
    king queen prince princess pope bishop archbishop cardinal rev reverend
    father sheikh emir ayatollah premier secretary ambassador commissioner
    administrator director chairman chairwoman professor sen rep gov gen col
    capt lt sgt inspector detective sheriff superintendent coach""".split()
)
# words that may open a multi-word title: "Prime Minister", "Vice President"
TITLE_PREFIXES = frozenset(
    "prime vice deputy foreign interior defence defense finance home state "
    "chief attorney lieutenant acting".split()
)
HONORIFICS = frozenset("mr mrs ms miss mx dr sir dame lady lord rev reverend".split())
TITLE_ROLES = {
    "prof": "professor",
    "sen": "senator",
    "rep": "representative",
    "gov": "governor",
    "gen": "general",
    "col": "colonel",
    "capt": "captain",
    "lt": "lieutenant",
    "sgt": "sergeant",
}
