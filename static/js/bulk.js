// Optional help on the bulk page: "More rows" adds empty rows without a round trip.
// Without JavaScript the button asks the server for the same thing.
(function () {
  "use strict";
  var button = document.getElementById("more-rows");
  var table = document.getElementById("bulk-rows");
  if (!button || !table) { return; }

  function emptyRow(number, withStatus) {
    var row = document.createElement("tr");
    row.className = "bulk-row row-empty";
    var cell = document.createElement("td");
    cell.className = "number";
    cell.textContent = String(number);
    row.appendChild(cell);
    [["ticket", "Ticket code or type"], ["first_name", "First name"],
     ["last_name", "Last name"], ["email", "Email"]].forEach(function (field) {
      var td = document.createElement("td");
      var input = document.createElement("input");
      input.name = field[0];
      input.setAttribute("aria-label", field[1] + ", row " + number);
      td.appendChild(input);
      row.appendChild(td);
    });
    if (withStatus) { row.appendChild(document.createElement("td")); }
    row.appendChild(document.createElement("td"));
    return row;
  }

  button.addEventListener("click", function (event) {
    event.preventDefault();
    var body = table.tBodies[0];
    var withStatus = table.tHead.rows[0].cells.length > 6;
    for (var i = 0; i < 5; i += 1) {
      body.appendChild(emptyRow(body.rows.length + 1, withStatus));
    }
  });
}());
