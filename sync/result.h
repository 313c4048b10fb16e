#pragma once

#include <QMetaType>
#include <QString>

#include <utility>
#include <variant>

namespace Ferry {

// A failure as a value: a stable machine code ("bad_json", "network", ...) and a sentence
// for the person. Any thread may create and copy one.
struct Error
{
    QString code;
    QString message;
};

// Either a value or an Error. Functions that can fail return this instead of a bool plus
// an out-parameter, so the message travels with the failure up to whoever shows it.
template<typename T> class Result
{
public:
    Result(T value)
        : m_data(std::move(value))
    { }
    Result(Error error)
        : m_data(std::move(error))
    { }

    bool ok() const { return std::holds_alternative<T>(m_data); }
    explicit operator bool() const { return ok(); }

    const T &value() const & { return std::get<T>(m_data); }
    T &value() & { return std::get<T>(m_data); }
    T &&value() && { return std::get<T>(std::move(m_data)); }
    const T *operator->() const { return &std::get<T>(m_data); }
    T *operator->() { return &std::get<T>(m_data); }

    const Error &error() const { return std::get<Error>(m_data); }

private:
    std::variant<T, Error> m_data;
};

// The Result of something that yields nothing but may fail.
struct Done
{
};
using Status = Result<Done>;

inline Status success()
{
    return Done {};
}

} // namespace Ferry

Q_DECLARE_METATYPE(Ferry::Error)
