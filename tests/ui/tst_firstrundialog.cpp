#include "settings/firstrundialog.h"

#include <QApplication>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalSpy>
#include <QSysInfo>
#include <QTest>

#include "widgetfinder.h"

using namespace Ferry::Ui;
using FerryTest::child;

namespace {

// Clicks the radio button's circle, where a person would.
void clickRadio(QRadioButton *radio)
{
    QTest::mouseClick(radio, Qt::LeftButton, {}, QPoint(8, radio->height() / 2));
}

} // namespace

class TestFirstRunDialog : public QObject
{
    Q_OBJECT

private slots:
    void init()
    {
        m_dialog = std::make_unique<FirstRunDialog>();
        m_dialog->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_dialog.get()));
        m_submit = std::make_unique<QSignalSpy>(m_dialog.get(), &FirstRunDialog::submitRequested);
    }

    void cleanup()
    {
        m_submit.reset();
        m_dialog.reset();
    }

    void badInputIsExplainedOnThePage_data()
    {
        QTest::addColumn<bool>("withToken");
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("user");
        QTest::addColumn<QString>("secret"); // the password or the token
        QTest::addColumn<QString>("problem");
        QTest::addColumn<QString>("focused");
        const QString good = QStringLiteral("https://ferry.example.com");
        QTest::newRow("no address") << true << QString() << QString() << "tok"
                                    << "Enter the server's address"
                                    << "serverUrlEdit";
        QTest::newRow("no scheme") << true << "ferry.example.com" << QString() << "tok"
                                   << "“ferry.example.com” is not a server address"
                                   << "serverUrlEdit";
        QTest::newRow("ftp") << true << "ftp://ferry.example.com" << QString() << "tok"
                             << "should start with https:// or http://"
                             << "serverUrlEdit";
        QTest::newRow("no host") << true << "https://" << QString() << "tok"
                                 << "is not a server address"
                                 << "serverUrlEdit";
        QTest::newRow("no token") << true << good << QString() << "   "
                                  << "Paste the device token"
                                  << "tokenEdit";
        QTest::newRow("no user name") << false << good << "  "
                                      << "secret words"
                                      << "Enter your user name"
                                      << "userEdit";
        QTest::newRow("no password")
            << false << good << "carol" << QString() << "Enter your password"
            << "passwordEdit";
        QTest::newRow("no address, password") << false << QString() << "carol"
                                              << "pw"
                                              << "Enter the server's address"
                                              << "serverUrlEdit";
    }

    void badInputIsExplainedOnThePage()
    {
        QFETCH(bool, withToken);
        QFETCH(QString, url);
        QFETCH(QString, user);
        QFETCH(QString, secret);
        QFETCH(QString, problem);
        QFETCH(QString, focused);
        if (withToken)
            clickRadio(child<QRadioButton>(*m_dialog, "tokenWay"));
        QTest::keyClicks(child<QLineEdit>(*m_dialog, "serverUrlEdit"), url);
        if (withToken) {
            QTest::keyClicks(child<QLineEdit>(*m_dialog, "tokenEdit"), secret);
        } else {
            QTest::keyClicks(child<QLineEdit>(*m_dialog, "userEdit"), user);
            QTest::keyClicks(child<QLineEdit>(*m_dialog, "passwordEdit"), secret);
        }
        QTest::mouseClick(child<QPushButton>(*m_dialog, "continueButton"), Qt::LeftButton);

        auto *error = child<QLabel>(*m_dialog, "errorLabel");
        QVERIFY(error->isVisible());
        QVERIFY2(error->text().contains(problem), qPrintable(error->text()));
        QCOMPARE(m_dialog->errorText(), error->text());
        QCOMPARE(QApplication::focusWidget()->objectName(), focused);
        QCOMPARE(m_submit->count(), 0);
        QVERIFY(!m_dialog->isBusy());
        QVERIFY(m_dialog->isVisible());
    }

    void passwordIsTheDefaultAndNamesThisComputer()
    {
        QVERIFY(child<QRadioButton>(*m_dialog, "passwordWay")->isChecked());
        QVERIFY(!child<QLineEdit>(*m_dialog, "tokenEdit")->isVisible());
        auto *device = child<QLineEdit>(*m_dialog, "deviceNameEdit");
        QCOMPARE(device->text(), QSysInfo::machineHostName());
        QTest::keyClicks(child<QLineEdit>(*m_dialog, "serverUrlEdit"),
                         QStringLiteral("https://ferry.example.com"));
        QTest::keyClicks(child<QLineEdit>(*m_dialog, "userEdit"), QStringLiteral(" carol "));
        auto *password = child<QLineEdit>(*m_dialog, "passwordEdit");
        QCOMPARE(password->echoMode(), QLineEdit::Password);
        QTest::keyClicks(password, QStringLiteral(" seven "));
        device->clear();
        QTest::keyClicks(device, QStringLiteral("Carol's laptop"));

        // A new account needs a longer password; said before asking the server.
        QSignalSpy registering(m_dialog.get(), &FirstRunDialog::registerRequested);
        auto *create = child<QPushButton>(*m_dialog, "createAccountButton");
        QTest::mouseClick(create, Qt::LeftButton);
        QCOMPARE(registering.count(), 0);
        QVERIFY2(m_dialog->errorText().contains(QStringLiteral("at least 8")),
                 qPrintable(m_dialog->errorText()));

        QTest::mouseClick(child<QPushButton>(*m_dialog, "continueButton"), Qt::LeftButton);
        QCOMPARE(m_submit->count(), 1);
        QVERIFY(m_dialog->usePassword());
        QCOMPARE(m_dialog->userName(), QStringLiteral("carol"));
        QCOMPARE(m_dialog->password(), QStringLiteral(" seven ")); // verbatim
        QCOMPARE(m_dialog->deviceName(), QStringLiteral("Carol's laptop"));
        m_dialog->showError(QStringLiteral("Wrong user name or password."));

        QTest::keyClicks(password, QStringLiteral("and more"));
        QTest::mouseClick(create, Qt::LeftButton);
        QCOMPARE(registering.count(), 1);
        QCOMPARE(m_submit->count(), 1);
        QVERIFY(m_dialog->isBusy());
        QVERIFY(!create->isEnabled());
    }

    void goodInputAsksTheCallerToCheck()
    {
        clickRadio(child<QRadioButton>(*m_dialog, "tokenWay"));
        QTest::keyClicks(child<QLineEdit>(*m_dialog, "serverUrlEdit"),
                         QStringLiteral("  https://ferry.example.com:8443 "));
        auto *token = child<QLineEdit>(*m_dialog, "tokenEdit");
        QTest::keyClicks(token, QStringLiteral("dev-token-1"));
        QCOMPARE(token->echoMode(), QLineEdit::Password);
        // Enter in a field presses Continue, as people expect.
        QTest::keyClick(token, Qt::Key_Return);

        QCOMPARE(m_submit->count(), 1);
        QVERIFY(m_dialog->isBusy());
        auto *next = child<QPushButton>(*m_dialog, "continueButton");
        QVERIFY(!next->isEnabled());
        QCOMPARE(next->text(), QStringLiteral("Checking…"));
        QVERIFY(!child<QLineEdit>(*m_dialog, "serverUrlEdit")->isEnabled());
        QVERIFY(!m_dialog->useLocalServer());
        QCOMPARE(m_dialog->serverUrl(), QUrl(QStringLiteral("https://ferry.example.com:8443")));
        QCOMPARE(m_dialog->token(), QStringLiteral("dev-token-1"));

        // The caller's check failed: said on the page, which is editable again.
        m_dialog->showError(QStringLiteral("The server did not accept this token."));
        QVERIFY(m_dialog->isVisible());
        QVERIFY(!m_dialog->isBusy());
        QVERIFY(next->isEnabled());
        QCOMPARE(next->text(), QStringLiteral("Continue"));
        QCOMPARE(m_dialog->errorText(), QStringLiteral("The server did not accept this token."));

        // Second try succeeds.
        QTest::mouseClick(next, Qt::LeftButton);
        QCOMPARE(m_submit->count(), 2);
        QVERIFY(m_dialog->errorText().isEmpty());
        m_dialog->finish();
        QCOMPARE(m_dialog->result(), int(QDialog::Accepted));
        QVERIFY(!m_dialog->isVisible());
    }

    void localServerNeedsNoAddress()
    {
        auto *local = child<QRadioButton>(*m_dialog, "localChoice");
        clickRadio(local);
        QVERIFY(local->isChecked());
        QVERIFY(!child<QLineEdit>(*m_dialog, "serverUrlEdit")->isEnabled());
        QVERIFY(!child<QLineEdit>(*m_dialog, "tokenEdit")->isEnabled());
        QTest::mouseClick(child<QPushButton>(*m_dialog, "continueButton"), Qt::LeftButton);
        QCOMPARE(m_submit->count(), 1);
        QVERIFY(m_dialog->useLocalServer());
        QVERIFY(m_dialog->serverUrl().isEmpty());
        QVERIFY(m_dialog->token().isEmpty());
        m_dialog->finish();
        QCOMPARE(m_dialog->result(), int(QDialog::Accepted));
    }

    void withoutACheckerContinueCloses()
    {
        FirstRunDialog dialog;
        dialog.show();
        clickRadio(child<QRadioButton>(dialog, "localChoice"));
        QTest::mouseClick(child<QPushButton>(dialog, "continueButton"), Qt::LeftButton);
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        QVERIFY(!dialog.isVisible());
    }

    void cancelRejects()
    {
        QTest::mouseClick(child<QPushButton>(*m_dialog, "cancelButton"), Qt::LeftButton);
        QCOMPARE(m_dialog->result(), int(QDialog::Rejected));
        QCOMPARE(m_submit->count(), 0);
    }

    void signInAgainPrefillsTheServer()
    {
        m_dialog->setServerUrl(QUrl(QStringLiteral("https://ferry.example.com")));
        QCOMPARE(child<QLineEdit>(*m_dialog, "serverUrlEdit")->text(),
                 QStringLiteral("https://ferry.example.com"));
        QCOMPARE(QApplication::focusWidget(), child<QLineEdit>(*m_dialog, "userEdit"));
    }

private:
    std::unique_ptr<FirstRunDialog> m_dialog;
    std::unique_ptr<QSignalSpy> m_submit;
};

QTEST_MAIN(TestFirstRunDialog)
#include "tst_firstrundialog.moc"
