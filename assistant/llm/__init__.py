"""Chat models for the assistant: an OpenAI-compatible endpoint, the embedded llama.cpp model, or a fake.

``build_chat_model(settings)`` picks one; every provider is a LangChain ``BaseChatModel`` whose
``bind_tools(tools, tool_choice=...)`` behaves like ``ChatOpenAI``'s, so the agent code is the same for all.
Nothing heavy is imported here: llama-cpp-python loads only when the local provider is built.
"""

from assistant.llm.factory import build_chat_model
from assistant.llm.fake import FakeCall, FakeChatModel, ScriptExhausted

__all__ = ["FakeCall", "FakeChatModel", "ScriptExhausted", "build_chat_model"]
