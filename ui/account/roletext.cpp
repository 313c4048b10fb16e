#include "roletext.h"

#include <QCoreApplication>

namespace Ferry::Ui {

QString roleText(const QString &role)
{
    if (role == QLatin1String("owner"))
        return QCoreApplication::translate("Ferry::Ui::Roles", "Owner");
    if (role == QLatin1String("editor"))
        return QCoreApplication::translate("Ferry::Ui::Roles", "Can edit");
    if (role == QLatin1String("viewer"))
        return QCoreApplication::translate("Ferry::Ui::Roles", "Can view");
    return role;
}

} // namespace Ferry::Ui
