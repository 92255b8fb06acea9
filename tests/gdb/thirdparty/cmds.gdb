set pagination off
set width 0
break mat_free
run
up
print a
print *a
print t
print r
print c
arr info t
arr info r
arr views a
arr views r a t c
arr shares t r
arr shares a c
arr shares c r
print a->shape
print (mat_t *)0
print (mat_t *)8
arr info (mat_t *)8
kill
