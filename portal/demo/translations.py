"""Translated demo pages: the home page, "Bins and recycling" and "Report a missed bin
collection", in Polish, Romanian, Portuguese and Urdu.

They show both sides of page translation: these pages are served in the resident's language
at their usual address, and every other page (the missed-bin form under the service page, for
one) is shown in English with a notice. The wording was written for the demonstration with
machine assistance; like the interface catalogues it must be checked by a native speaker
before it is published for real.
"""

HOME = {
    "pl": {
        "title": "Rady Milton Keynes i Northamptonshire",
        "intro": "Zgłoś problem, złóż wniosek o usługę lub zadaj pytanie — przez internet, "
        "telefonicznie, SMS-em, e-mailem lub w punkcie obsługi mieszkańców. Jeden zespół "
        "odpowiada w imieniu obu rad.",
    },
    "ro": {
        "title": "Consiliile Milton Keynes și Northamptonshire",
        "intro": "Raportați o problemă, solicitați un serviciu sau puneți o întrebare — online, "
        "la telefon, prin SMS, prin e-mail sau la un centru de relații cu publicul. O singură "
        "echipă răspunde pentru ambele consilii.",
    },
    "pt": {
        "title": "Câmaras Municipais de Milton Keynes e Northamptonshire",
        "intro": "Comunique um problema, peça um serviço ou faça uma pergunta — online, por "
        "telefone, por SMS, por e-mail ou num balcão de atendimento. Uma única equipa responde "
        "pelas duas câmaras.",
    },
    "ur": {
        "title": "ملٹن کینز اور نارتھیمپٹن شائر کی کونسلیں",
        "intro": "کسی مسئلے کی اطلاع دیں، کسی سروس کے لیے درخواست دیں یا کوئی سوال پوچھیں — "
        "آن لائن، فون کے ذریعے، ٹیکسٹ میسج کے ذریعے، ای میل کے ذریعے یا ون اسٹاپ شاپ پر۔ "
        "ایک ہی ٹیم دونوں کونسلوں کی طرف سے جواب دیتی ہے۔",
    },
}

# The home page's "Most popular" descriptions, by the service slug of the page they link to.
TOP_TASKS = {
    "pl": {
        "mk-missed-bin": "Pojemniki na odpady, recykling i odpady spożywcze w Milton Keynes",
        "mk-council-tax": "Zapłać, zapytaj o rachunek lub uzyskaj zniżkę",
        "ncc-pothole": "Drogi i chodniki w Northamptonshire",
        "mk-pothole": "Drogi, chodniki i ścieżki redway w Milton Keynes",
        "blue-badge": "Parkowanie dla osób z niepełnosprawnościami, w obu radach",
        "general-enquiry": "Zadaj nam dowolne pytanie",
    },
    "ro": {
        "mk-missed-bin": "Pubele, reciclare și deșeuri alimentare în Milton Keynes",
        "mk-council-tax": "Plătiți, întrebați despre factură sau obțineți o reducere",
        "ncc-pothole": "Drumuri și trotuare în Northamptonshire",
        "mk-pothole": "Drumuri, trotuare și piste redway în Milton Keynes",
        "blue-badge": "Parcare pentru persoanele cu dizabilități, pentru ambele consilii",
        "general-enquiry": "Întrebați-ne orice",
    },
    "pt": {
        "mk-missed-bin": "Contentores, reciclagem e resíduos alimentares em Milton Keynes",
        "mk-council-tax": "Pague, pergunte sobre a sua fatura ou obtenha um desconto",
        "ncc-pothole": "Estradas e passeios em Northamptonshire",
        "mk-pothole": "Estradas, passeios e percursos redway em Milton Keynes",
        "blue-badge": "Estacionamento para pessoas com deficiência, nas duas câmaras",
        "general-enquiry": "Pergunte-nos o que quiser",
    },
    "ur": {
        "mk-missed-bin": "ملٹن کینز میں کوڑے دان، ری سائیکلنگ اور کھانے کا فضلہ",
        "mk-council-tax": "ادائیگی کریں، اپنے بل کے بارے میں پوچھیں یا رعایت حاصل کریں",
        "ncc-pothole": "نارتھیمپٹن شائر میں سڑکیں اور فٹ پاتھ",
        "mk-pothole": "ملٹن کینز میں سڑکیں، فٹ پاتھ اور ریڈ ویز",
        "blue-badge": "معذور افراد کے لیے پارکنگ، دونوں کونسلوں کے لیے",
        "general-enquiry": "ہم سے کچھ بھی پوچھیں",
    },
}

TOPIC_SLUG = "bins-and-recycling"
TOPIC = {
    "pl": {
        "title": "Odpady i recykling",
        "intro": "Odbiór odpadów, nowe pojemniki, odpady wielkogabarytowe i recykling.",
    },
    "ro": {
        "title": "Deșeuri și reciclare",
        "intro": "Colectarea deșeurilor, pubele noi, deșeuri voluminoase și reciclare.",
    },
    "pt": {
        "title": "Lixo e reciclagem",
        "intro": "Recolha de lixo, contentores novos, resíduos volumosos e reciclagem.",
    },
    "ur": {
        "title": "کوڑا کرکٹ اور ری سائیکلنگ",
        "intro": "کوڑا اٹھانا، نئے کوڑے دان، بڑا کوڑا اور ری سائیکلنگ۔",
    },
}

SERVICE_SLUG = "mk-missed-bin"
SERVICE = {
    "pl": {
        "title": "Zgłoś nieodebrane odpady",
        "summary": "Poinformuj nas, jeśli Twój pojemnik, worek na surowce wtórne lub pojemnik na "
        "odpady spożywcze nie został odebrany w wyznaczonym dniu odbioru.",
        "need": "Czego potrzebujesz",
        "items": [
            "Twój adres lub miejsce, którego dotyczy problem",
            "opis tego, czego potrzebujesz",
            "zdjęcia lub dokumenty, jeśli je masz",
        ],
        "progress": "Od razu otrzymasz numer sprawy. O postępach poinformujemy Cię e-mailem lub "
        "SMS-em, w Twoim języku.",
        "other": "Inne sposoby kontaktu",
        "contact": "Zadzwoń pod numer 01632 960001, wyślij SMS na numer 07400 000001, napisz na "
        "adres contact@mk.example.org lub odwiedź punkt obsługi mieszkańców.",
    },
    "ro": {
        "title": "Raportați o colectare ratată a deșeurilor",
        "summary": "Spuneți-ne dacă pubela, sacul de reciclare sau recipientul pentru resturi "
        "alimentare nu a fost colectat în ziua de colectare.",
        "need": "Ce vă trebuie",
        "items": [
            "adresa dumneavoastră sau locul problemei",
            "o descriere a ceea ce vă trebuie",
            "fotografii sau documente, dacă le aveți",
        ],
        "progress": "Veți primi imediat un număr de referință. Vă vom anunța cum avansează "
        "solicitarea prin e-mail sau SMS, în limba dumneavoastră.",
        "other": "Alte modalități de contact",
        "contact": "Sunați la 01632 960001, trimiteți un SMS la 07400 000001, scrieți la "
        "contact@mk.example.org sau veniți la un centru de relații cu publicul.",
    },
    "pt": {
        "title": "Comunicar uma recolha de lixo que não foi feita",
        "summary": "Diga-nos se o seu contentor, saco de reciclagem ou recipiente de resíduos "
        "alimentares não foi recolhido no dia de recolha.",
        "need": "O que precisa",
        "items": [
            "a sua morada ou o local do problema",
            "uma descrição do que precisa",
            "fotografias ou documentos, se os tiver",
        ],
        "progress": "Receberá de imediato um número de referência. Informá-lo-emos sobre o "
        "andamento por e-mail ou SMS, na sua língua.",
        "other": "Outras formas de contacto",
        "contact": "Ligue para o 01632 960001, envie SMS para o 07400 000001, escreva para "
        "contact@mk.example.org ou dirija-se a um balcão de atendimento.",
    },
    "ur": {
        "title": "کوڑا نہ اٹھائے جانے کی اطلاع دیں",
        "summary": "اگر آپ کا کوڑے دان، ری سائیکلنگ کا تھیلا یا کھانے کے فضلے کا ڈبہ مقررہ دن پر "
        "نہیں اٹھایا گیا تو ہمیں بتائیں۔",
        "need": "آپ کو کیا چاہیے",
        "items": [
            "آپ کا پتہ یا مسئلے کی جگہ",
            "آپ کو جس چیز کی ضرورت ہے اس کی تفصیل",
            "تصاویر یا دستاویزات، اگر آپ کے پاس ہوں",
        ],
        "progress": "آپ کو فوراً ایک حوالہ نمبر مل جائے گا۔ ہم آپ کو پیش رفت کے بارے میں ای میل یا "
        "ٹیکسٹ میسج کے ذریعے آپ کی زبان میں بتائیں گے۔",
        "other": "رابطے کے دوسرے طریقے",
        "contact": "01632 960001 پر کال کریں، 07400 000001 پر ٹیکسٹ کریں، "
        "contact@mk.example.org پر ای میل کریں، یا کسی ون اسٹاپ شاپ پر تشریف لائیں۔",
    },
}

LANGUAGES = tuple(HOME)


def service_body(language: str) -> list:
    """The missed-bin service page's body in ``language`` (the English one's blocks)."""
    text = SERVICE[language]
    items = "".join(f"<li>{item}</li>" for item in text["items"])
    return [
        ("heading", {"text": text["need"], "size": "h2"}),
        ("paragraph", f"<ul>{items}</ul>"),
        ("paragraph", f"<p>{text['progress']}</p>"),
        ("details", {"summary": text["other"], "text": f"<p>{text['contact']}</p>"}),
    ]
