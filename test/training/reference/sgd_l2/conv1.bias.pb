B
conv1.biasJrPF¾ø””>ç>Z%>