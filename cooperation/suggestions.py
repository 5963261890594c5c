"""Suggestions: for each open need, the units most likely to help, ranked, with the reason.

Computed off the request path (cooperation/tasks.py, queued after commit when a need or an offer changes,
and refreshed by the beat), and kept in PostgreSQL rows (`Suggestion`), so a need's page reads its
suggestions in one query.

Candidates are the schools and research institutes of the need's city: the active member units of its
alliances and the units registered in it.

- Technology needs: TF-IDF over words that jieba segments from the need (title and description) and
  from each candidate (its name and description, its open offers, the needs it has taken up before),
  compared by cosine similarity; a shared industrial chain (an offer in the need's chain, or a need of
  that chain taken up before), membership of the need's own alliance and past responses accepted add to
  the score.
- Talent needs: the schools whose open major offers of the need's year have graduates in the major
  category of the need, with the counts (and those of the very major); a shared chain and the same
  alliance add to the score.

The weights are a judgement, written out here so that they can be argued with.
"""

import logging
import math
import re
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cache

import jieba
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from alliance.models import IndustrialChain
from cooperation.catalogue import category_name
from cooperation.models import Offer, Response, Suggestion, TalentNeed, TechnologyNeed
from cooperation.permissions import RESPONDERS
from members.models import Membership, Organization

logger = logging.getLogger(__name__)
jieba.setLogLevel(logging.WARNING)

TOP = 10
TECHNOLOGY_WEIGHTS = {"text": 0.6, "chain": 0.25, "alliance": 0.1, "past": 0.05}
TALENT_WEIGHTS = {"coverage": 0.45, "exact": 0.2, "chain": 0.1, "alliance": 0.15, "size": 0.1}
MIN_TEXT = 0.02  # below this a candidate shares no more than a common word with the need
SHOWN_TERMS = 4
SHOWN_OFFERS = 2

WORD = re.compile(r"\w+")
# Words every need and offer uses: they say nothing about who can help.
STOPWORDS = {
    "技术", "需求", "企业", "公司", "有限", "有限公司", "集团", "项目", "问题", "开展", "进行", "相关", "提供", "需要",
    "能力", "合作", "我们", "我司", "以及", "提升", "实现", "研究", "工作", "服务", "方面", "通过", "用于", "要求",
    "希望", "目前", "现有", "主要", "具有", "一个", "可以", "演示", "淄博", "学院", "学校", "职业", "中心",
}


@cache
def _tokenizer() -> jieba.Tokenizer:
    """jieba's dictionary, loaded once per worker process (about a second)."""
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def terms(text: str) -> list[str]:
    """The words of a text that can tell units apart: jieba's search segmentation (words and the words
    inside long ones), lower-cased, without single characters, numbers and stop words."""
    found = []
    for word in _tokenizer().lcut_for_search(text or ""):
        word = word.strip().lower()
        if len(word) >= 2 and WORD.fullmatch(word) and not word.isdigit() and word not in STOPWORDS:
            found.append(word)
    return found


@dataclass
class Candidate:
    id: int
    name: str
    type: str
    text: list[str] = field(default_factory=list)
    alliances: set[int] = field(default_factory=set)
    offers: list[dict] = field(default_factory=list)
    chains: set[int] = field(default_factory=set)
    past_accepted: int = 0
    vector: dict[str, float] = field(default_factory=dict)


class Index:
    """The candidates of one city, with their TF-IDF vectors and an inverted index over them."""

    def __init__(self, city_id: int):
        self.city_id = city_id
        self.candidates = self._load(city_id)
        documents = {pk: Counter(c.text) for pk, c in self.candidates.items()}
        frequency = Counter(term for counts in documents.values() for term in counts)
        total = len(documents)
        self.idf = {term: math.log((1 + total) / (1 + df)) + 1 for term, df in frequency.items()}
        self.postings = defaultdict(list)
        for pk, counts in documents.items():
            vector = self.vectorize(counts)
            self.candidates[pk].vector = vector
            for term, weight in vector.items():
                self.postings[term].append((pk, weight))

    def vectorize(self, counts: Counter) -> dict[str, float]:
        weights = {term: (1 + math.log(n)) * self.idf.get(term, math.log(1 + len(self.candidates)) + 1)
                   for term, n in counts.items()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {term: w / norm for term, w in weights.items()}

    def similarities(self, vector: dict[str, float]) -> dict[int, float]:
        scores = defaultdict(float)
        for term, weight in vector.items():
            for pk, other in self.postings.get(term, ()):
                scores[pk] += weight * other
        return scores

    @staticmethod
    def _load(city_id: int) -> dict[int, Candidate]:
        members = Membership.objects.filter(
            status=Membership.Status.ACTIVE, alliance__city_id=city_id, organization__type__in=RESPONDERS,
        ).values_list("organization_id", "alliance_id")
        alliances_of = defaultdict(set)
        for organization_id, alliance_id in members:
            alliances_of[organization_id].add(alliance_id)
        units = Organization.objects.filter(
            Q(pk__in=list(alliances_of)) | Q(city_id=city_id, type__in=RESPONDERS)
        ).values_list("pk", "name", "type", "description")
        candidates = {}
        for pk, name, unit_type, description in units:
            candidate = Candidate(id=pk, name=name, type=unit_type, alliances=alliances_of.get(pk, set()))
            candidate.text = terms(name) + terms(description)
            candidates[pk] = candidate
        offers = Offer.objects.filter(organization_id__in=list(candidates), status=Offer.Status.OPEN,
                                      merged_into__isnull=True).values(
            "organization_id", "kind", "title", "description", "chain_id", "major_code", "major_category",
            "graduates", "year")
        for offer in offers:
            candidate = candidates[offer["organization_id"]]
            offer["terms"] = set(terms(offer["title"])) | set(terms(offer["description"]))
            candidate.offers.append(offer)
            candidate.text += terms(offer["title"]) + terms(offer["description"])
            if offer["major_category"]:
                candidate.text += terms(category_name(offer["major_category"]))
            if offer["chain_id"]:
                candidate.chains.add(offer["chain_id"])
        accepted = Response.objects.filter(organization_id__in=list(candidates),
                                           status=Response.Status.ACCEPTED).values_list(
            "organization_id", "need__title", "need__chain_id")
        for organization_id, title, chain_id in accepted:
            candidate = candidates[organization_id]
            candidate.past_accepted += 1
            candidate.text += terms(title)
            if chain_id:
                candidate.chains.add(chain_id)
        return candidates


def _chain_names(chain_ids) -> dict[int, str]:
    return dict(IndustrialChain.objects.filter(pk__in=set(filter(None, chain_ids))).values_list("pk", "name"))


def _locality(candidate: Candidate, need) -> dict:
    return {"code": "same_alliance"} if need.alliance_id in candidate.alliances else {"code": "same_city"}


def rank_technology_need(index: Index, need: TechnologyNeed, chain_name: str, now) -> list[Suggestion]:
    weights = TECHNOLOGY_WEIGHTS
    # The chain is a signal of its own: its name's words would count it twice.
    vector = index.vectorize(Counter(terms(need.title) + terms(need.description)))
    text_scores = index.similarities(vector)
    scored = []
    for pk, candidate in index.candidates.items():
        if pk == need.organization_id:
            continue
        text = text_scores.get(pk, 0.0)
        chain = bool(need.chain_id and need.chain_id in candidate.chains)
        if text < MIN_TEXT and not chain:
            continue
        same_alliance = need.alliance_id in candidate.alliances
        score = (weights["text"] * text + weights["chain"] * chain + weights["alliance"] * same_alliance
                 + weights["past"] * min(candidate.past_accepted, 3) / 3)
        scored.append((score, pk, text, chain))
    scored.sort(key=lambda row: (-row[0], row[1]))
    suggestions = []
    for rank, (score, pk, _text, chain) in enumerate(scored[:TOP], start=1):
        candidate = index.candidates[pk]
        reasons = []
        if chain:
            reasons.append({"code": "chain", "chain": chain_name})
        shared = sorted((term for term in vector if term in candidate.vector),
                        key=lambda term: -vector[term] * candidate.vector[term])
        related = sorted((offer for offer in candidate.offers if offer["terms"] & set(shared)),
                         key=lambda offer: -len(offer["terms"] & set(shared)))
        if related:
            reasons.append({"code": "offers", "titles": [offer["title"] for offer in related[:SHOWN_OFFERS]]})
        if shared:
            reasons.append({"code": "terms", "terms": shared[:SHOWN_TERMS]})
        if candidate.past_accepted:
            reasons.append({"code": "past", "count": candidate.past_accepted})
        reasons.append(_locality(candidate, need))
        suggestions.append(Suggestion(technology_need=need, organization_id=pk, rank=rank, score=round(score, 6),
                                      reasons=reasons, computed_at=now))
    return suggestions


def rank_talent_need(index: Index, need: TalentNeed, chain_name: str, now) -> list[Suggestion]:
    weights = TALENT_WEIGHTS
    supply = []
    for pk, candidate in index.candidates.items():
        if candidate.type not in Organization.SCHOOL_TYPES:
            continue
        majors = [offer for offer in candidate.offers if offer["kind"] == Offer.Kind.MAJOR
                  and offer["major_category"] == need.major_category and offer["year"] == need.year]
        graduates = sum(offer["graduates"] or 0 for offer in majors)
        if graduates <= 0:
            continue
        exact = sum(offer["graduates"] or 0 for offer in majors if offer["major_code"] == need.major_code)
        chain = bool(need.chain_id and need.chain_id in candidate.chains)
        supply.append((pk, graduates, exact, chain))
    largest = max((graduates for _pk, graduates, _exact, _chain in supply), default=1)
    scored = []
    for pk, graduates, exact, chain in supply:
        same_alliance = need.alliance_id in index.candidates[pk].alliances
        score = (weights["coverage"] * min(graduates / need.headcount, 1) + weights["exact"] * (exact > 0)
                 + weights["chain"] * chain + weights["alliance"] * same_alliance
                 + weights["size"] * graduates / largest)
        scored.append((score, pk, graduates, exact, chain))
    scored.sort(key=lambda row: (-row[0], row[1]))
    suggestions = []
    for rank, (score, pk, graduates, exact, chain) in enumerate(scored[:TOP], start=1):
        reasons = [{"code": "chain", "chain": chain_name}] if chain else []
        reasons.append({"code": "graduates", "category": need.major_category, "year": need.year, "count": graduates})
        if exact:
            reasons.append({"code": "exact_major", "major_code": need.major_code, "count": exact})
        reasons.append(_locality(index.candidates[pk], need))
        suggestions.append(Suggestion(talent_need=need, organization_id=pk, rank=rank, score=round(score, 6),
                                      reasons=reasons, computed_at=now))
    return suggestions


def _lock_city(city_id: int) -> None:
    """One refresh of a city's suggestions at a time (two would delete and insert each other's rows)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [zlib.crc32(b"cooperation.suggestions"), city_id])


def _refresh(city_id: int, technology_needs: list, talent_needs: list, stale_filter: Q) -> int:
    now = timezone.now()
    with transaction.atomic():
        _lock_city(city_id)
        index = Index(city_id)
        chains = _chain_names([need.chain_id for need in [*technology_needs, *talent_needs]])
        rows = []
        for need in technology_needs:
            rows += rank_technology_need(index, need, chains.get(need.chain_id, ""), now)
        for need in talent_needs:
            rows += rank_talent_need(index, need, chains.get(need.chain_id, ""), now)
        Suggestion.objects.filter(stale_filter).delete()
        Suggestion.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def refresh_need(need) -> int:
    """Recompute one need's suggestions (none for a need that is no longer open)."""
    need = type(need).objects.select_related("alliance").get(pk=need.pk)
    open_ = need.status == need.Status.OPEN and need.merged_into_id is None
    field_name = "technology_need" if isinstance(need, TechnologyNeed) else "talent_need"
    needs = [need] if open_ else []
    return _refresh(need.alliance.city_id, needs if field_name == "technology_need" else [],
                    needs if field_name == "talent_need" else [], Q(**{field_name: need}))


def refresh_city(city_id: int) -> int:
    """Recompute the suggestions of every open need of the city's alliances; drop those of the others."""
    def open_needs(model):
        return list(model.objects.filter(alliance__city_id=city_id, status=model.Status.OPEN,
                                         merged_into__isnull=True).only(
            *("id", "alliance_id", "organization_id", "chain_id", "year"),
            *(("title", "description") if model is TechnologyNeed else ("major_code", "major_category",
                                                                         "headcount"))))

    stale = Q(technology_need__alliance__city_id=city_id) | Q(talent_need__alliance__city_id=city_id)
    count = _refresh(city_id, open_needs(TechnologyNeed), open_needs(TalentNeed), stale)
    logger.info("suggestions of city %s refreshed: %d rows", city_id, count)
    return count


# Reading ---------------------------------------------------------------------------------------------------


def describe(reasons: list[dict]) -> str:
    """The reason of a suggestion in the current language, e.g. "同属新材料产业链；专业大类 43 毕业生 120 人"."""
    parts = []
    for reason in reasons:
        code = reason.get("code")
        if code == "chain":
            parts.append(_("in the same chain: %(chain)s") % {"chain": reason["chain"]})
        elif code == "graduates":
            parts.append(_("%(count)d graduates in major category %(category)s")
                         % {"count": reason["count"], "category": reason["category"]})
        elif code == "exact_major":
            parts.append(_("%(count)d of them in major %(code)s") % {"count": reason["count"],
                                                                    "code": reason["major_code"]})
        elif code == "offers":
            parts.append(_("related offers: %(titles)s") % {"titles": pgettext("list separator", ", ").join(reason["titles"])})
        elif code == "terms":
            parts.append(_("shared terms: %(terms)s") % {"terms": pgettext("list separator", ", ").join(reason["terms"])})
        elif code == "past":
            parts.append(ngettext("%(count)d technology need taken up before",
                                  "%(count)d technology needs taken up before", reason["count"])
                         % {"count": reason["count"]})
        elif code == "same_alliance":
            parts.append(_("a member unit of this alliance"))
        elif code == "same_city":
            parts.append(_("a unit of the same city"))
    return pgettext("reason separator", "; ").join(parts)
