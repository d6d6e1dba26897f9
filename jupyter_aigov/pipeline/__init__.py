"""The seam between the client layers (intercept/) and everything else: what a layer may import, all of it.

A layer asks `deciding_pipeline()` who decides now (None: governance is off, or an outer layer has the call),
hands `Pipeline.begin` an `OutboundRequest`, applies the `SendPlan` of the `CallInFlight` it gets back, sends
inside `sending(call)`, and feeds the answer through `call.tap(...)`, passing on what it returns. A refused
call raises from `begin`, as the verdict's exception, before one byte leaves.
"""

from .answer import CallInFlight, ResponseTap
from .answer_messages import MessageTap
from .answer_stream import AnswerStream
from .binding import active_gateway, bind_governor, deciding_pipeline, governor, locked_mode, sealed_setattr
from .flow import TAMPER_HINT, Pipeline, tamper_hint
from .refusals import Refusal, carried_violation, in_governed_layer, refuse, sending, shield, through_layer
from .request import OutboundRequest, SendPlan
from .socket_session import SocketSession

__all__ = [
    "TAMPER_HINT",
    "AnswerStream",
    "CallInFlight",
    "MessageTap",
    "OutboundRequest",
    "Pipeline",
    "Refusal",
    "ResponseTap",
    "SendPlan",
    "SocketSession",
    "active_gateway",
    "bind_governor",
    "carried_violation",
    "deciding_pipeline",
    "governor",
    "in_governed_layer",
    "locked_mode",
    "refuse",
    "sealed_setattr",
    "sending",
    "shield",
    "tamper_hint",
    "through_layer",
]
