"""Published agreement figures of LLMs on checklist-like appraisal, shown beside ours as context.

They are not thresholds, and they measure something else: a model's answers against human
experts (validity), where ours compare a model's answers with its own or another model's on a
rescan (consistency). Each figure was checked against the paper's abstract (December 2026).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reference:
    figure: str  # the statistic and its value as published
    measured: str  # whose answers agreed with whose, on what
    citation: str
    identifier: str  # arXiv id or DOI, without a link: the report fetches nothing


REFERENCES: tuple[Reference, ...] = (
    Reference(
        figure="Cohen's kappa 0.280 and 0.282",
        measured="the two best of 16 LLMs (Gemini-2.5-Flash, DeepSeek-R1), zero-shot, against "
        "expert consensus on 37 CONSORT 2010 reporting items (compliant, non-compliant, not "
        "applicable) in 150 randomised trials",
        citation="He Z, Bian M, Zhu J, et al. Evaluating the Ability of Large Language Models "
        "to Identify Adherence to CONSORT Reporting Guidelines in Randomized Controlled "
        "Trials: A Methodological Evaluation Study. 2025",
        identifier="arXiv:2511.13107",
    ),
    Reference(
        figure="Cohen's kappa 0.22 (95% CI 0.06 to 0.38)",
        measured="Claude 2's overall RoB 2 risk-of-bias judgement against the Cochrane review "
        "authors' for 100 randomised trials (observed agreement 41%; per domain, kappa 0.10 "
        "to 0.31)",
        citation="Eisele-Metzger A, Lieberum J-L, Toews M, et al. Exploring the potential of "
        "Claude 2 for risk of bias assessment: Using a large language model to assess "
        "randomized controlled trials with RoB 2. medRxiv 2024 (Research Synthesis Methods "
        "2025)",
        identifier="doi:10.1101/2024.07.16.24310483",
    ),
)
