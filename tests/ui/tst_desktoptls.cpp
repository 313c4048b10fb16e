// The desktop app and a server whose certificate no CA here vouches for: the first-run page
// refuses it, shows its fingerprint and subject, and syncs only after the person chooses
// "Trust this certificate"; Settings shows the trusted fingerprint and can remove it. A real
// ferry-server with the test certificate, real widgets (offscreen).
#include "desktopapp.h"
#include "desktopapptest.h"
#include "serverprocess.h"
#include "testdevice.h"
#include "widgetfinder.h"

#include "localstore.h"
#include "settings/appsettings.h"
#include "settings/settingsdialog.h"

#include <QApplication>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QTemporaryDir>
#include <QTest>

using namespace Ferry;
using namespace Ferry::Ui;
using namespace FerryDesktop;
using namespace FerryTest;
using namespace FerryTest::DesktopAppTest;
using namespace Qt::StringLiterals;

class TestDesktopTls : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void firstRunTrustsTheCertificateOnlyWhenAsked();
    void settingsShowAndRemoveTheTrustedCertificate_data();
    void settingsShowAndRemoveTheTrustedCertificate();
    void signingInAgainFromOptionsKeepsTheTrust();

private:
    QTemporaryDir m_home;
    ServerProcess m_server;
};

void TestDesktopTls::initTestCase()
{
    useHome(m_home, u"FerryTestTls"_s);
    QVERIFY2(m_server.start({}, ServerProcess::Tls), qPrintable(m_server.lastError()));
}

void TestDesktopTls::firstRunTrustsTheCertificateOnlyWhenAsked()
{
    const QString token = m_server.createToken(u"gus"_s);
    QVERIFY(!token.isEmpty());
    {
        TestDevice other(m_server.syncConfig(token, u"gus"_s));
        other.create(u"Post"_s, {{u"title"_s, u"behind a self-signed certificate"_s}});
        QVERIFY(other.sync().ok);
    }
    const QString fingerprint = m_server.trustedFingerprint();

    Options options;
    options.profile = u"gus-desktop"_s;
    DesktopApp app(options);
    QVERIFY(app.start());
    QWidget *dialog = nullptr;
    QTRY_VERIFY((dialog = topLevel("firstRunDialog")));
    QTest::mouseClick(child<QRadioButton>(*dialog, "tokenWay"), Qt::LeftButton);
    auto *url = child<QLineEdit>(*dialog, "serverUrlEdit");
    url->setFocus();
    QTest::keyClicks(url, m_server.url().toString());
    QTest::keyClicks(child<QLineEdit>(*dialog, "tokenEdit"), token);
    auto *trust = child<QPushButton>(*dialog, "trustCertificateButton");
    QVERIFY(!trust->isVisible()); // never offered before a certificate was refused
    QTest::mouseClick(child<QPushButton>(*dialog, "continueButton"), Qt::LeftButton);

    auto *error = child<QLabel>(*dialog, "errorLabel");
    QTRY_VERIFY_WITH_TIMEOUT(error->isVisible(), 15000);
    QVERIFY2(error->text().contains(u"127.0.0.1"_s), qPrintable(error->text()));
    QVERIFY2(error->text().contains(u"no certificate authority"_s), qPrintable(error->text()));
    QVERIFY(trust->isVisible());
    const QString shown = child<QLabel>(*dialog, "certificateLabel")->text();
    QVERIFY2(shown.contains(fingerprint), qPrintable(shown));
    QVERIFY2(shown.contains(u"localhost"_s), qPrintable(shown)); // the subject
    QVERIFY(dialog->isVisible());
    QCOMPARE(countIn(options.profile), 0);
    QVERIFY(AppSettings(options.profile).trustedFingerprint().isEmpty());

    QTest::mouseClick(trust, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!topLevel("firstRunDialog"), 15000);
    QTRY_COMPARE_WITH_TIMEOUT(countIn(options.profile), 1, 20000);
    AppSettings settings(options.profile);
    QCOMPARE(settings.trustedFingerprint(), fingerprint);
    QCOMPARE(settings.serverUrl(), m_server.url());
}

void TestDesktopTls::signingInAgainFromOptionsKeepsTheTrust()
{
    // A profile that trusts the server's certificate, started with --server/--token for the
    // same server (a new token): the trust stays and the sign-in goes through unasked.
    const QString token = m_server.createToken(u"hal"_s);
    const QString profile = u"hal-desktop"_s;
    {
        AppSettings settings(profile);
        settings.setServerUrl(m_server.url());
        settings.setTrustedFingerprint(m_server.trustedFingerprint());
        settings.sync();
    }
    {
        TestDevice other(m_server.syncConfig(token, u"hal"_s));
        other.create(u"Post"_s, {{u"title"_s, u"trusted before"_s}});
        QVERIFY(other.sync().ok);
    }
    Options options;
    options.profile = profile;
    options.server = m_server.url();
    options.token = token;
    DesktopApp app(options);
    QVERIFY(app.start());
    QTRY_COMPARE_WITH_TIMEOUT(countIn(profile), 1, 20000);
    QVERIFY(!topLevel("firstRunDialog"));
    QCOMPARE(AppSettings(profile).trustedFingerprint(), m_server.trustedFingerprint());
}

void TestDesktopTls::settingsShowAndRemoveTheTrustedCertificate_data()
{
    QTest::addColumn<bool>("remove");
    QTest::addColumn<bool>("pressOk");
    QTest::addColumn<bool>("keptAfterwards");
    QTest::newRow("remove, OK") << true << true << false;
    QTest::newRow("remove, Cancel") << true << false << true;
    QTest::newRow("OK only") << false << true << true;
}

void TestDesktopTls::settingsShowAndRemoveTheTrustedCertificate()
{
    QFETCH(bool, remove);
    QFETCH(bool, pressOk);
    QFETCH(bool, keptAfterwards);
    const QString fingerprint = m_server.trustedFingerprint();
    AppSettings settings(u"settings-tls"_s);
    settings.setServerUrl(m_server.url());
    settings.setTrustedFingerprint(fingerprint);

    SettingsDialog dialog(settings);
    dialog.show();
    auto *label = child<QLabel>(dialog, "trustedCertificateLabel");
    auto *removeButton = child<QPushButton>(dialog, "removeTrustButton");
    QVERIFY2(label->text().contains(fingerprint), qPrintable(label->text()));
    QVERIFY(removeButton->isVisible());
    if (remove)
        QTest::mouseClick(removeButton, Qt::LeftButton);
    QTest::mouseClick(child<QPushButton>(dialog, pressOk ? "okButton" : "cancelButton"),
                      Qt::LeftButton);
    QCOMPARE(settings.trustedFingerprint(), keptAfterwards ? fingerprint : QString());

    // Nothing trusted: the page says so and offers nothing to remove.
    settings.setTrustedFingerprint(QString());
    SettingsDialog plain(settings);
    plain.show();
    QVERIFY(!child<QPushButton>(plain, "removeTrustButton")->isVisible());
    QVERIFY(child<QLabel>(plain, "trustedCertificateLabel")
                ->text()
                .contains(u"certificate authorities"_s));
}

QTEST_MAIN(TestDesktopTls)
#include "tst_desktoptls.moc"
