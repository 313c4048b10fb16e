#include "activitylogview.h"

#include <QHeaderView>
#include <QLocale>
#include <QStyle>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace Ferry::Ui {

namespace {

constexpr int kShown = 500;

QIcon iconFor(const QStyle *style, ActivityEntry::Kind kind)
{
    switch (kind) {
    case ActivityEntry::Kind::Synced:
        return style->standardIcon(QStyle::SP_DialogApplyButton);
    case ActivityEntry::Kind::Failed:
        return style->standardIcon(QStyle::SP_MessageBoxWarning);
    case ActivityEntry::Kind::Conflicts:
        return style->standardIcon(QStyle::SP_MessageBoxQuestion);
    case ActivityEntry::Kind::Info:
        break;
    }
    return style->standardIcon(QStyle::SP_MessageBoxInformation);
}

} // namespace

ActivityLogView::ActivityLogView(QWidget *parent)
    : QWidget(parent)
    , m_list(new QTreeWidget(this))
{
    setObjectName(QStringLiteral("activityLog"));
    m_list->setObjectName(QStringLiteral("activityList"));
    m_list->setAccessibleName(tr("Sync activity"));
    m_list->setColumnCount(2);
    m_list->setHeaderLabels({tr("Time"), tr("What happened")});
    m_list->setRootIsDecorated(false);
    m_list->setUniformRowHeights(true);
    m_list->setWordWrap(true);
    m_list->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_list->header()->setStretchLastSection(true);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_list);
}

void ActivityLogView::setEntries(const QList<ActivityEntry> &entries)
{
    m_list->clear();
    for (const ActivityEntry &entry : entries)
        addEntry(entry);
}

void ActivityLogView::addEntry(const ActivityEntry &entry)
{
    auto *item
        = new QTreeWidgetItem({QLocale().toString(entry.at, QLocale::ShortFormat), entry.text});
    item->setIcon(0, iconFor(style(), entry.kind));
    item->setToolTip(1, entry.text);
    m_list->insertTopLevelItem(0, item);
    while (m_list->topLevelItemCount() > kShown)
        delete m_list->takeTopLevelItem(m_list->topLevelItemCount() - 1);
}

int ActivityLogView::entryCount() const
{
    return m_list->topLevelItemCount();
}

} // namespace Ferry::Ui
