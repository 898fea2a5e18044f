"""Connection views, one module per screen: listing (Dependencies >
Connections), create (the Create Connection wizard), detail (the connection
page and what it offers: reveal, edit, delete)."""
