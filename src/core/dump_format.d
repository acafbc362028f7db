src/core/dump_format.o: src/core/dump_format.cpp \
 /work/main/src/core/dump_format.hpp /work/main/src/core/error.hpp
/work/main/src/core/dump_format.hpp:
/work/main/src/core/error.hpp:
