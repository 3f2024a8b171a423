"""Pages of the shoot day, one module a page: the crew's desk, the number log, the class
close, the make-up list, the public queue board, and the 学信网 check. Views stay thin:
authorise, bind a form, call a selector or one service, render or redirect with a
message."""
