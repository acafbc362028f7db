src/core/process.o: src/core/process.cpp /work/main/src/core/process.hpp \
 /work/main/src/core/error.hpp
/work/main/src/core/process.hpp:
/work/main/src/core/error.hpp:
