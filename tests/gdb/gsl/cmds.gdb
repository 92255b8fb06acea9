set pagination off
set confirm off
break gsl_stale_view.c:22
run
print m
print *m
print row
print col
print sub
print sub.matrix
print &row.vector
arr info m
arr info sub
print (gsl_matrix *)0
print (gsl_matrix *)8
arr list
