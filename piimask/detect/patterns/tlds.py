"""Top-level domains that make a dotted name plausible as a host name.

A compact, offline list: every two-letter country code TLD plus the generic TLDs
that are common in real addresses. It is deliberately not the full IANA list
(which would turn "file.zip" or "notes.docs" into domains).
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


COUNTRY_TLDS: frozenset[str] = _words(
    """
    ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo
    bq br bs bt bv bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj
    dk dm do dz ec ee eg eh er es et eu fi fj fk fm fo fr ga gb gd ge gf gg gh gi gl gm gn
    gp gq gr gs gt gu gw gy hk hm hn hr ht hu id ie il im in io iq ir is it je jm jo jp ke
    kg kh ki km kn kp kr kw ky kz la lb lc li lk lr ls lt lu lv ly ma mc md me mf mg mh mk
    ml mm mn mo mp mq mr ms mt mu mv mw mx my mz na nc ne nf ng ni nl no np nr nu nz om pa
    pe pf pg ph pk pl pm pn pr ps pt pw py qa re ro rs ru rw sa sb sc sd se sg sh si sj sk
    sl sm sn so sr ss st su sv sx sy sz tc td tf tg th tj tk tl tm tn to tr tt tv tw tz ua
    ug uk um us uy uz va vc ve vg vi vn vu wf ws ye yt za zm zw
    """
)

GENERIC_TLDS: frozenset[str] = _words(
    """
    com org net edu gov mil int info biz name pro aero coop museum mobi asia jobs travel
    tel cat post xxx app dev page blog shop store online site website web tech cloud
    digital email services solutions agency company business network systems software
    media news live life world today global group club design studio center consulting
    academy school university college institute education health care clinic dental
    law legal finance financial bank money capital fund insurance invest market marketing
    realty estate properties house homes land city town london nyc berlin paris tokyo
    top xyz icu vip fun space art work works ltd llc inc gmbh family team social one
    """
)

# Widely used generic TLDs: a bare "name.<tld>" is very likely a domain.
COMMON_TLDS: frozenset[str] = _words(
    "com org net edu gov mil int info biz io co us uk de fr nl eu ca au"
)

# Country codes that are also common file extensions or code attributes
# ("setup.py", "README.md", "run.sh"): a bare name ending in one of these is only
# taken with more evidence (a www. label or a second-level like .co.).
AMBIGUOUS_TLDS: frozenset[str] = _words(
    "py md sh pl so rs ps ai ml mk sc st tk ws am pm cs js ts id in is it to me no do"
)

ALL_TLDS: frozenset[str] = COUNTRY_TLDS | GENERIC_TLDS

# A bare name ("smith.biz") is only a domain with a country code or a long-standing
# generic TLD; newer word TLDs (".life", ".one") end too many sentences without a space.
BARE_DOMAIN_TLDS: frozenset[str] = COUNTRY_TLDS | _words(
    "com org net edu gov mil int info biz pro aero coop museum mobi asia jobs travel tel"
)
