B
conv1.biasJÜHF¾Ìô“>Ä%>X”%>