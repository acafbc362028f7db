src/extension/backup_child.o: src/extension/backup_child.cpp \
 /work/main/src/extension/backup_child.hpp \
 /usr/include/postgresql/15/server/postgres.h \
 /usr/include/postgresql/15/server/c.h \
 /usr/include/postgresql/15/server/postgres_ext.h \
 /usr/include/postgresql/15/server/pg_config_ext.h \
 /usr/include/postgresql/15/server/pg_config.h \
 /usr/include/postgresql/15/server/pg_config_manual.h \
 /usr/include/postgresql/15/server/pg_config_os.h \
 /usr/include/postgresql/15/server/port.h \
 /usr/include/postgresql/15/server/utils/elog.h \
 /usr/include/postgresql/15/server/utils/errcodes.h \
 /usr/include/postgresql/15/server/utils/palloc.h \
 /work/main/src/extension/catalog.hpp \
 /usr/include/postgresql/15/server/datatype/timestamp.h \
 /usr/include/postgresql/15/server/nodes/pg_list.h \
 /usr/include/postgresql/15/server/nodes/nodes.h \
 /work/main/src/core/backup_request.hpp /work/main/src/core/codec.hpp \
 /work/main/src/core/sink.hpp /work/main/src/core/dump_format.hpp \
 /work/main/src/core/process.hpp /work/main/src/extension/boundary.hpp \
 /usr/include/postgresql/15/server/utils/elog.h \
 /work/main/src/core/error.hpp
/work/main/src/extension/backup_child.hpp:
/usr/include/postgresql/15/server/postgres.h:
/usr/include/postgresql/15/server/c.h:
/usr/include/postgresql/15/server/postgres_ext.h:
/usr/include/postgresql/15/server/pg_config_ext.h:
/usr/include/postgresql/15/server/pg_config.h:
/usr/include/postgresql/15/server/pg_config_manual.h:
/usr/include/postgresql/15/server/pg_config_os.h:
/usr/include/postgresql/15/server/port.h:
/usr/include/postgresql/15/server/utils/elog.h:
/usr/include/postgresql/15/server/utils/errcodes.h:
/usr/include/postgresql/15/server/utils/palloc.h:
/work/main/src/extension/catalog.hpp:
/usr/include/postgresql/15/server/datatype/timestamp.h:
/usr/include/postgresql/15/server/nodes/pg_list.h:
/usr/include/postgresql/15/server/nodes/nodes.h:
/work/main/src/core/backup_request.hpp:
/work/main/src/core/codec.hpp:
/work/main/src/core/sink.hpp:
/work/main/src/core/dump_format.hpp:
/work/main/src/core/process.hpp:
/work/main/src/extension/boundary.hpp:
/usr/include/postgresql/15/server/utils/elog.h:
/work/main/src/core/error.hpp:
