set pagination off
set confirm off
source ../../gdb/arrdbg.py
break gsl_stale_view.c:22
continue
echo === begin\n
print m
print row
print col
print sub
arr list
arr leaks
arr info m
echo === end\n
monitor v.set vgdb-error 1000000
continue
