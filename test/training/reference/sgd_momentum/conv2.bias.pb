B
conv2.biasJ @Е =VGЎЅуmѕ‡(ѕm>јЮ=орлЅЕтЊ=