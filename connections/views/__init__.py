"""Connection views, one module per screen: list (Dependencies >
Connections), create (the Create Connection wizard), detail (the connection
page and what it offers: reveal, edit, delete)."""
