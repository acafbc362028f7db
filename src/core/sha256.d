src/core/sha256.o: src/core/sha256.cpp /work/main/src/core/sha256.hpp \
 /work/main/src/core/sink.hpp /work/main/src/core/error.hpp
/work/main/src/core/sha256.hpp:
/work/main/src/core/sink.hpp:
/work/main/src/core/error.hpp:
