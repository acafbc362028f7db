src/core/restore_pipeline.o: src/core/restore_pipeline.cpp \
 /work/main/src/core/restore_pipeline.hpp /work/main/src/core/codec.hpp \
 /work/main/src/core/sink.hpp /work/main/src/core/process.hpp \
 /work/main/src/core/storage.hpp /work/main/src/core/error.hpp \
 /work/main/src/core/sha256.hpp \
 /work/main/src/core/supervised_process.hpp
/work/main/src/core/restore_pipeline.hpp:
/work/main/src/core/codec.hpp:
/work/main/src/core/sink.hpp:
/work/main/src/core/process.hpp:
/work/main/src/core/storage.hpp:
/work/main/src/core/error.hpp:
/work/main/src/core/sha256.hpp:
/work/main/src/core/supervised_process.hpp:
