src/core/json_document.o: src/core/json_document.cpp \
 /work/main/src/core/json_document.hpp /work/main/src/core/error.hpp
/work/main/src/core/json_document.hpp:
/work/main/src/core/error.hpp:
