B
conv1.biasJ@G¾j´’>(O>Vo%>