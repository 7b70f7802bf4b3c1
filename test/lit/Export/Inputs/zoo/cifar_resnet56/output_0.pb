
BlogitsJ(═м╨EKi╦ф▓UиеEйcFК╦ф╗┘F╞C┤еK2≥ф┘;kеAТ D