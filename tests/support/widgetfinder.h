#pragma once

#include <QLatin1String>
#include <QObject>
#include <QtGlobal>

namespace FerryTest {

// The child of `parent` with this objectName; a test that cannot find a widget a person
// would see stops at once, saying which.
template<typename T> T *child(QObject &parent, const char *name)
{
    auto *found = parent.findChild<T *>(QLatin1String(name));
    if (!found)
        qFatal("no %s named %s", T::staticMetaObject.className(), name);
    return found;
}

} // namespace FerryTest
