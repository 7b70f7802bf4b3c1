B
conv1.biasJ±KG¾–“>†‡>%>