src/core/storage.o: src/core/storage.cpp /work/main/src/core/storage.hpp \
 /work/main/src/core/sink.hpp /work/main/src/core/error.hpp \
 /work/main/src/core/local_storage.hpp
/work/main/src/core/storage.hpp:
/work/main/src/core/sink.hpp:
/work/main/src/core/error.hpp:
/work/main/src/core/local_storage.hpp:
