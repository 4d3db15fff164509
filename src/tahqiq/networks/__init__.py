"""Financial-crime networks: laundering typologies and mule rings in transactions, scam campaigns in
complaints. Hits are evidence about past transactions for an analyst to review, never a score of a
person: the inputs are transaction behaviour and complaint identifiers only (no names, ages,
genders, places of birth or any sensitive trait).

    con = load_dir("data/bank")                    # or from_frame(rows the gate handed over)
    hits = detect(con)                              # list[Hit]: typology, accounts, facts, reason
    campaigns = cluster(complaints_from_frame(df))  # scam campaigns joined by shared identifiers
    with gate.scope(SYSTEM, "networks detection job") as job:
        run = detect_in_store(job)                  # the same through the gate (see service.py)
"""

from tahqiq.networks.campaign_money import LinkedMoney, MuleCandidate, Transfer, linked_transactions
from tahqiq.networks.campaigns import (
    MAX_COMPLAINTS_PER_VALUE,
    Campaign,
    Link,
    Step,
    campaign_accounts,
    campaign_id,
    cluster,
)
from tahqiq.networks.complaints import COMPLAINT_PROPS, ComplaintRow, complaints_from_arrays, complaints_from_frame
from tahqiq.networks.detectors import TYPOLOGIES, DetectorSettings, detect
from tahqiq.networks.evaluate import NetworkEvaluation, evaluate, render
from tahqiq.networks.hits import Hit, hits_to_frame, rupees, short_iban
from tahqiq.networks.scorer import Scorer, train
from tahqiq.networks.service import (
    SORTS,
    TX_PROPS,
    CampaignDetail,
    CampaignNotFound,
    CampaignPage,
    CampaignRun,
    CampaignSummary,
    DetectionRun,
    attach_hit_to_case,
    cluster_in_store,
    detect_in_store,
    get_campaign,
    list_campaigns,
    open_case_from_campaign,
)
from tahqiq.networks.transactions import from_frame, load_dir
from tahqiq.networks.values import DEFAULT_STOP_LIST, canonical, is_public_number

__all__ = [
    "COMPLAINT_PROPS", "DEFAULT_STOP_LIST", "MAX_COMPLAINTS_PER_VALUE", "SORTS", "TX_PROPS", "TYPOLOGIES",
    "Campaign", "CampaignDetail", "CampaignNotFound", "CampaignPage", "CampaignRun", "CampaignSummary",
    "ComplaintRow", "DetectionRun", "DetectorSettings", "Hit", "Link", "LinkedMoney", "MuleCandidate",
    "NetworkEvaluation", "Scorer", "Step", "Transfer",
    "attach_hit_to_case", "campaign_accounts", "campaign_id", "canonical", "cluster", "cluster_in_store",
    "complaints_from_arrays", "complaints_from_frame", "detect", "detect_in_store", "evaluate", "from_frame",
    "get_campaign", "hits_to_frame", "is_public_number", "linked_transactions", "list_campaigns", "load_dir",
    "open_case_from_campaign", "render", "rupees", "short_iban", "train",
]
