B
conv1.biasJ–dK¾Ij“>‘¶>¢Ê>