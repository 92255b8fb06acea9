# samples/tour.gdb - a guided gdb session on one sample (make tour).
#
#   gdb -nx -batch -iex 'set auto-load python-scripts off' -iex 'source gdb/arrdbg.py' \
#       -x samples/tour.gdb build/samples/lesson_write_through_view
#
# Stops at the first arr_free in main, where the owner a, the view v, the
# copy c and the reshaped view m are all alive, and shows the printers and
# each `arr` command on them.
set pagination off
set confirm off
set print pretty off
break arr_free
run
up
echo \n== print a   (the owner: dtype, shape, strides, flags, then its elements)\n
print a
echo \n== print v   (a view: whose memory, at which offset)\n
print v
echo \n== print c   (a copy of v: its own buffer)\n
print c
echo \n== print m   (reshape of a contiguous array: a view too)\n
print m
echo \n== arr list   (every live array, from libarr's registry)\n
arr list
echo \n== arr info v\n
arr info v
echo \n== arr views a   (who views the owner's memory)\n
arr views a
echo \n== arr shares v m   (exact overlap, as NumPy's shares_memory)\n
arr shares v m
echo \n== arr shares v c\n
arr shares v c
echo \n== arr leaks   (what would be reported if the program ended here)\n
arr leaks
kill
