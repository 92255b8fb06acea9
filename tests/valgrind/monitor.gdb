set pagination off
set confirm off
break arrdbg_stop_here
continue
echo === begin\n
monitor help
monitor arr list
monitor arr info 1
monitor arr info 3
monitor arr info 99
monitor arr info x
monitor arr info 99999999999999999999999
monitor arr info 18446744073709551617
monitor arr leaks
monitor arr bogus
echo === end\n
monitor v.set vgdb-error 1000000
continue
