B
conv1.biasJГ>G╛ИPХ>АУ>гд%>