B
conv1.biasJ.7Gพ‘?•>0>>เม%>