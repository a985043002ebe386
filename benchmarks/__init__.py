"""Speed and memory scripts (``make bench``): an edge, and a package so the layer contract sees it."""
