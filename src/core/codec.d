src/core/codec.o: src/core/codec.cpp /work/main/src/core/codec.hpp \
 /work/main/src/core/sink.hpp /work/main/src/core/error.hpp
/work/main/src/core/codec.hpp:
/work/main/src/core/sink.hpp:
/work/main/src/core/error.hpp:
