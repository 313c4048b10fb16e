#pragma once

#include <QString>

namespace Ferry::Ui {

// A workspace role ("owner", "editor", "viewer") as people read it: "Owner", "Can edit",
// "Can view"; an unknown role as it came.
QString roleText(const QString &role);

} // namespace Ferry::Ui
