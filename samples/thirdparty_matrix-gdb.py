# thirdparty_matrix-gdb.py - the gdb half of adopting arrdbg for the matrix
# type of samples/thirdparty_matrix.c: name the struct's fields.
#   gdb -iex 'source gdb/arrdbg.py' -x samples/thirdparty_matrix-gdb.py PROG
from arrdbg_gdb import foreign

foreign.register("mat_t", data="data", shape="shape", strides="strides",
                 base="base", id="id", label="name", dtype="float64")
