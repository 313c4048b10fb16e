#include "conflictspanel.h"

#include "datastore.h"
#include "merge/conflictlistmodel.h"
#include "merge/mergedialog.h"
#include "merge/policyresolver.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace Ferry::Ui {

namespace {

QString policyText(ConflictPolicy policy)
{
    switch (policy) {
    case ConflictPolicy::KeepMine:
        return QObject::tr("Keep this device's version");
    case ConflictPolicy::KeepTheirs:
        return QObject::tr("Keep the other side's version");
    case ConflictPolicy::Newest:
        return QObject::tr("Keep the newest change");
    case ConflictPolicy::Ask:
        break;
    }
    return QObject::tr("Ask me");
}

} // namespace

ConflictsPanel::ConflictsPanel(DataStore &store, QWidget *parent)
    : QWidget(parent)
    , m_store(store)
    , m_model(new ConflictListModel(store, this))
{
    setObjectName(QStringLiteral("conflictsPanel"));
    setAccessibleName(tr("Conflicts"));

    m_count = new QLabel(this);
    m_count->setObjectName(QStringLiteral("conflictCount"));
    QFont bold = m_count->font();
    bold.setBold(true);
    m_count->setFont(bold);

    m_list = new QTreeView(this);
    m_list->setObjectName(QStringLiteral("conflictList"));
    m_list->setAccessibleName(tr("Open conflicts"));
    m_list->setModel(m_model);
    m_list->setRootIsDecorated(false);
    m_list->setUniformRowHeights(true);
    m_list->setAlternatingRowColors(true);
    m_list->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_list->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_list->header()->setStretchLastSection(true);
    m_list->setColumnWidth(ConflictListModel::RecordColumn, 240);
    m_list->setColumnWidth(ConflictListModel::EntityColumn, 90);
    m_list->setColumnWidth(ConflictListModel::FieldsColumn, 200);
    connect(m_list, &QTreeView::activated, this,
            [this](const QModelIndex &index) { resolveRow(index.row()); });

    m_resolve = new QPushButton(tr("&Resolve…"), this);
    m_resolve->setObjectName(QStringLiteral("resolveSelectedButton"));
    m_resolve->setAccessibleName(tr("Resolve the selected conflict"));
    connect(m_resolve, &QPushButton::clicked, this,
            [this] { resolveRow(m_list->currentIndex().row()); });

    auto *policyLabel = new QLabel(tr("For all remaining:"), this);
    m_policy = new QComboBox(this);
    m_policy->setObjectName(QStringLiteral("applyPolicyCombo"));
    m_policy->setAccessibleName(tr("Policy for all remaining conflicts"));
    for (ConflictPolicy policy :
         {ConflictPolicy::KeepMine, ConflictPolicy::KeepTheirs, ConflictPolicy::Newest})
        m_policy->addItem(policyText(policy), policyName(policy));
    policyLabel->setBuddy(m_policy);
    m_applyAll = new QPushButton(tr("Apply to &all…"), this);
    m_applyAll->setObjectName(QStringLiteral("applyAllButton"));
    m_applyAll->setAccessibleName(tr("Apply the policy to all remaining conflicts"));
    connect(m_applyAll, &QPushButton::clicked, this, &ConflictsPanel::confirmApplyToAll);

    m_problem = new QLabel(this);
    m_problem->setObjectName(QStringLiteral("conflictsProblem"));
    m_problem->setWordWrap(true);
    m_problem->hide();

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_resolve);
    buttons->addStretch();
    buttons->addWidget(policyLabel);
    buttons->addWidget(m_policy);
    buttons->addWidget(m_applyAll);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(m_count);
    layout->addWidget(m_list, 1);
    layout->addWidget(m_problem);
    layout->addLayout(buttons);

    setFocusProxy(m_list);
    connect(m_model, &ConflictListModel::countChanged, this, &ConflictsPanel::updateCount);
    connect(m_list->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &ConflictsPanel::updateButtons);
    updateCount();
}

int ConflictsPanel::count() const
{
    return m_model->rowCount();
}

void ConflictsPanel::resolveRow(int row)
{
    const QString guid = m_model->guidAt(row);
    if (!guid.isEmpty())
        openMergeDialog(m_store, guid, window());
}

void ConflictsPanel::applyToAll(ConflictPolicy policy)
{
    const PolicyOutcome outcome = resolveByPolicy(m_store, policy, m_model->conflicts());
    m_problem->setText(outcome.problems.isEmpty()
                           ? QString()
                           : tr("Some conflicts could not be settled, and are still listed: %1")
                                 .arg(outcome.problems.join(QLatin1Char(' '))));
    m_problem->setVisible(!outcome.problems.isEmpty());
}

void ConflictsPanel::confirmApplyToAll()
{
    const auto policy = policyFromName(m_policy->currentData().toString());
    if (!policy || count() == 0)
        return;
    const QString text = count() == 1
        ? tr("%1 for the 1 remaining conflict?").arg(policyText(*policy))
        : tr("%1 for all %2 remaining conflicts?").arg(policyText(*policy)).arg(count());
    auto *box = new QMessageBox(QMessageBox::Question, tr("Apply to all"), text,
                                QMessageBox::NoButton, this);
    box->setObjectName(QStringLiteral("applyAllConfirm"));
    box->setInformativeText(tr("The other version of each record is discarded."));
    QPushButton *apply = box->addButton(tr("Apply"), QMessageBox::AcceptRole);
    apply->setObjectName(QStringLiteral("confirmApplyButton"));
    QPushButton *cancel = box->addButton(QMessageBox::Cancel);
    cancel->setObjectName(QStringLiteral("cancelApplyButton"));
    box->setDefaultButton(cancel);
    box->setAttribute(Qt::WA_DeleteOnClose);
    const ConflictPolicy chosen = *policy;
    connect(apply, &QPushButton::clicked, this, [this, chosen] { applyToAll(chosen); });
    box->open();
}

void ConflictsPanel::updateCount()
{
    const int n = count();
    m_count->setText(n == 0 ? tr("No open conflicts: every record is settled.")
                         : n == 1
                         ? tr("1 record was changed here and elsewhere and needs a decision.")
                         : tr("%1 records were changed here and elsewhere and need a decision.")
                               .arg(QLocale().toString(n)));
    m_count->setAccessibleName(m_count->text());
    if (n > 0 && !m_list->currentIndex().isValid())
        m_list->setCurrentIndex(m_model->index(0, 0));
    updateButtons();
    Q_EMIT countChanged(n);
}

void ConflictsPanel::updateButtons()
{
    m_resolve->setEnabled(m_list->currentIndex().isValid());
    m_applyAll->setEnabled(count() > 0);
    m_policy->setEnabled(count() > 0);
}

} // namespace Ferry::Ui
