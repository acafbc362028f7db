src/core/local_storage.o: src/core/local_storage.cpp \
 /work/main/src/core/local_storage.hpp /work/main/src/core/storage.hpp \
 /work/main/src/core/sink.hpp /work/main/src/core/error.hpp \
 /work/main/src/core/process.hpp
/work/main/src/core/local_storage.hpp:
/work/main/src/core/storage.hpp:
/work/main/src/core/sink.hpp:
/work/main/src/core/error.hpp:
/work/main/src/core/process.hpp:
