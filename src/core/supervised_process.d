src/core/supervised_process.o: src/core/supervised_process.cpp \
 /work/main/src/core/supervised_process.hpp \
 /work/main/src/core/process.hpp /work/main/src/core/error.hpp
/work/main/src/core/supervised_process.hpp:
/work/main/src/core/process.hpp:
/work/main/src/core/error.hpp:
