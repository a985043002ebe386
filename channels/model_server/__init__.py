"""``layer8 model serve``: one chat model behind an OpenAI-compatible HTTP API, shared by every API node and
worker through the same ``openai`` provider they use with vLLM, TGI or llama.cpp's own server."""
