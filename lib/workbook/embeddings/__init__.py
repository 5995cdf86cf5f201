"""Embedding-quality evaluation (notebook 60): the evaluation set, BEIR/MTEB ranking metrics
(nDCG@10 with graded relevance, Recall@k and MRR of the top grade), chance level, the
shuffled-relevance negative control with its verdict, and clustering quality from a similarity
matrix. Pure functions: what produces the rankings (the brain over MCP) is `workbook.crossservice`.
"""

from ._clustering import nearest_centroid_accuracy, shuffled_labels, silhouette
from ._control import Chance, ControlVerdict, chance_level, control_scores, control_verdict, shuffled_qrels
from ._evalset import Document, EvalSet, Query, load_eval_set
from ._evaluate import RetrievalReport, evaluate_rankings
from ._metrics import dcg, mean_scores, ndcg_at_k, recall_at_k, reciprocal_rank, score_query

__all__ = [
    "Chance",
    "ControlVerdict",
    "Document",
    "EvalSet",
    "Query",
    "RetrievalReport",
    "chance_level",
    "control_scores",
    "control_verdict",
    "dcg",
    "evaluate_rankings",
    "load_eval_set",
    "mean_scores",
    "ndcg_at_k",
    "nearest_centroid_accuracy",
    "recall_at_k",
    "reciprocal_rank",
    "score_query",
    "shuffled_labels",
    "shuffled_qrels",
    "silhouette",
]
