src/core/error.o: src/core/error.cpp /work/main/src/core/error.hpp
/work/main/src/core/error.hpp:
