B
conv2.biasJ p8Ў=бiћЅуmѕUѕmE>БџЫ=орлЅвTЊ=