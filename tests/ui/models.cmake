# Tests of ui/models: the live item models, under QAbstractItemModelTester while changes stream in.
ferry_add_test(tst_recordtablemodel SOURCES ui/tst_recordtablemodel.cpp ui/modeltestutil.h
               LIBRARIES ferry_ui TIMEOUT 600)
ferry_add_test(tst_entitylistmodel SOURCES ui/tst_entitylistmodel.cpp ui/modeltestutil.h
               LIBRARIES ferry_ui)
