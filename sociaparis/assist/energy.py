"""An estimate of the electricity a model's answers cost, from their token counts.

The factor is that of EcoLogits (GenAI Impact, methodology "LLM inference"
v1.0, https://ecologits.ai/latest/methodology/llm_inference/), fitted on
Hugging Face's LLM-Perf leaderboard (NVIDIA A100 80 GB):

- GPU energy per output token: ``alpha * P + beta`` Wh, with ``P`` the active
  parameters in billions, ``alpha = 8.91e-5`` and ``beta = 1.43e-3``;
- the rest of the server: 1 kW shared by 8 GPUs during the generation time,
  ``(A * P + B)`` seconds per output token with ``A = 8.02e-4``, ``B = 2.23e-2``;
- the data centre's cooling: a power usage effectiveness (PUE) of 1.2.

For the default model size (24 billion active parameters, e.g. Mistral Small
3.x, on one GPU) this is about 0.0060 Wh per output token.  Prompt tokens are
not counted: the methodology models generation only, so the figure is a lower
bound for long prompts.  The factor is uncertain: it was measured on one GPU
type without batching, and a server batching requests, or another GPU, can be
several times more or less efficient.  We therefore show a range from half to
twice the central value (:data:`UNCERTAINTY`), a convention of ours rather than
a published interval, and always call the figure an estimate.
"""

from __future__ import annotations

import math

#: EcoLogits: GPU energy per output token = ALPHA * P_active(B) + BETA, in Wh
ALPHA_WH = 8.91e-5
BETA_WH = 1.43e-3
#: EcoLogits: generation time per output token = A * P_active(B) + B, in s
LATENCY_A_S = 8.02e-4
LATENCY_B_S = 2.23e-2
#: EcoLogits: power of a server without its GPUs (W), GPUs installed, GPU memory
SERVER_W = 1000.0
GPUS_INSTALLED = 8
GPU_MEMORY_GB = 80.0
#: power usage effectiveness of the data centre
PUE = 1.2
#: the default model size (billions of active parameters)
DEFAULT_ACTIVE_PARAMETERS_B = 24.0
#: the range shown around the estimate: central / UNCERTAINTY to central * UNCERTAINTY
UNCERTAINTY = 2.0


def gpus_needed(parameters_b: float, bits: int = 16) -> int:
    """GPUs of 80 GB needed to hold a model (1.2 x its weights), at least one."""
    memory_gb = 1.2 * parameters_b * bits / 8
    return max(1, math.ceil(memory_gb / GPU_MEMORY_GB))


def wh_per_output_token(parameters_b: float = DEFAULT_ACTIVE_PARAMETERS_B) -> float:
    """Estimated Wh per generated token for a model of ``parameters_b`` billion
    active parameters (GPU, rest of the server, cooling)."""
    gpus = gpus_needed(parameters_b)
    gpu_wh = gpus * (ALPHA_WH * parameters_b + BETA_WH)
    seconds = LATENCY_A_S * parameters_b + LATENCY_B_S
    server_wh = seconds / 3600 * SERVER_W * gpus / GPUS_INSTALLED
    return PUE * (gpu_wh + server_wh)


def estimate_wh(
    prompt_tokens: int,
    completion_tokens: int,
    *,
    parameters_b: float = DEFAULT_ACTIVE_PARAMETERS_B,
) -> float:
    """Estimated electricity of answers of ``completion_tokens`` tokens, in Wh.

    Parameters
    ----------
    prompt_tokens
        Tokens sent; not counted by the methodology (kept in the signature so
        that a better model of the prompt's cost can use it).
    completion_tokens
        Tokens generated.
    parameters_b
        The model's active parameters, in billions.

    Returns
    -------
    float
        Watt-hours; an estimate within a factor :data:`UNCERTAINTY` either way.
    """
    del prompt_tokens  # the methodology models generation only
    return max(0, completion_tokens) * wh_per_output_token(parameters_b)


def estimate_range(wh: float) -> tuple[float, float]:
    """The range shown around an estimate: ``(wh / 2, wh * 2)``."""
    return wh / UNCERTAINTY, wh * UNCERTAINTY
