B
conv1.biasJQIFΎγχ“>Δ*>g”%>