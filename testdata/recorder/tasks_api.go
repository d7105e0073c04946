package main

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

type task struct {
	ID    int    `json:"id"`
	Title string `json:"title"`
	Done  bool   `json:"done"`
	// Archived: a teammate archived it after the list was loaded; it is
	// still listed, and changing it answers 409.
	Archived bool `json:"-"`
}

type board struct {
	ID       int     `json:"id"`
	Name     string  `json:"name"`
	Tasks    []*task `json:"tasks"`
	Archived bool    `json:"-"` // archived boards are not listed but keep their name
}

type taskSettings struct {
	DisplayName   string `json:"displayName"`
	DailyDigest   bool   `json:"dailyDigest"`
	WeeklySummary bool   `json:"weeklySummary"`
}

// tasksAPI is the tasks app's backend (testdata/apps/README.md), fresh for
// each scenario.
type tasksAPI struct {
	mu        sync.Mutex
	boards    []*board
	nextBoard int
	nextTask  int
	settings  taskSettings
}

func newTasksAPI() *tasksAPI {
	return &tasksAPI{
		boards: []*board{
			{ID: 3, Name: "Website refresh", Tasks: []*task{
				{ID: 31, Title: "Collect screenshots", Done: true},
				{ID: 32, Title: "Rewrite the pricing page"},
				{ID: 33, Title: "Check contrast on buttons"},
			}},
			{ID: 5, Name: "Hiring", Tasks: []*task{
				{ID: 51, Title: "Post the platform role"},
				{ID: 52, Title: "Schedule interviews", Archived: true},
			}},
			{ID: 9, Name: "Q3 launch", Archived: true, Tasks: []*task{}},
		},
		nextBoard: 12, nextTask: 101,
		settings: taskSettings{DisplayName: "Dana Lee"},
	}
}

func (s *tasksAPI) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/boards", s.listBoards)
	mux.HandleFunc("POST /api/boards", s.createBoard)
	mux.HandleFunc("GET /api/boards/{id}", s.getBoard)
	mux.HandleFunc("POST /api/boards/{id}/tasks", s.addTask)
	mux.HandleFunc("PATCH /api/tasks/{id}", s.updateTask)
	mux.HandleFunc("GET /api/settings", s.getSettings)
	mux.HandleFunc("PUT /api/settings", s.putSettings)
}

func (s *tasksAPI) listBoards(w http.ResponseWriter, r *http.Request) {
	if !sleepCtx(r.Context(), 200*time.Millisecond) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []map[string]any{}
	for _, b := range s.boards {
		if b.Archived {
			continue
		}
		open := 0
		for _, t := range b.Tasks {
			if !t.Done {
				open++
			}
		}
		out = append(out, map[string]any{"id": b.ID, "name": b.Name, "openTasks": open})
	}
	writeJSON(w, http.StatusOK, map[string]any{"boards": out})
}

// createBoard answers 409 with an errors object when any board, an archived
// one included, already has the name.
func (s *tasksAPI) createBoard(w http.ResponseWriter, r *http.Request) {
	if !sleepCtx(r.Context(), 500*time.Millisecond) {
		return
	}
	var req struct {
		Name string `json:"name"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, errorsBody("body", "must be JSON"))
		return
	}
	name := strings.TrimSpace(req.Name)
	if name == "" {
		writeJSON(w, http.StatusUnprocessableEntity, errorsBody("name", "can't be blank"))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, b := range s.boards {
		if strings.EqualFold(b.Name, name) {
			writeJSON(w, http.StatusConflict, errorsBody("name", "has already been taken"))
			return
		}
	}
	b := &board{ID: s.nextBoard, Name: name, Tasks: []*task{}}
	s.nextBoard++
	s.boards = append(s.boards, b)
	writeJSON(w, http.StatusCreated, map[string]any{"board": b})
}

func (s *tasksAPI) getBoard(w http.ResponseWriter, r *http.Request) {
	if !sleepCtx(r.Context(), 200*time.Millisecond) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.board(r.PathValue("id"))
	if b == nil {
		writeJSON(w, http.StatusNotFound, errorsBody("board", "not found"))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"board": b})
}

func (s *tasksAPI) addTask(w http.ResponseWriter, r *http.Request) {
	if !sleepCtx(r.Context(), 300*time.Millisecond) {
		return
	}
	var req struct {
		Title string `json:"title"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, errorsBody("body", "must be JSON"))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.board(r.PathValue("id"))
	if b == nil {
		writeJSON(w, http.StatusNotFound, errorsBody("board", "not found"))
		return
	}
	title := strings.TrimSpace(req.Title)
	if title == "" {
		writeJSON(w, http.StatusUnprocessableEntity, errorsBody("title", "can't be blank"))
		return
	}
	t := &task{ID: s.nextTask, Title: title}
	s.nextTask++
	b.Tasks = append(b.Tasks, t)
	writeJSON(w, http.StatusCreated, map[string]any{"task": t})
}

func (s *tasksAPI) updateTask(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Title *string `json:"title"`
		Done  *bool   `json:"done"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, errorsBody("body", "must be JSON"))
		return
	}
	id, _ := strconv.Atoi(r.PathValue("id"))
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, b := range s.boards {
		for _, t := range b.Tasks {
			if t.ID != id {
				continue
			}
			if t.Archived {
				writeJSON(w, http.StatusConflict, errorsBody("task", "was archived by a teammate"))
				return
			}
			if req.Title != nil && strings.TrimSpace(*req.Title) != "" {
				t.Title = strings.TrimSpace(*req.Title)
			}
			if req.Done != nil {
				t.Done = *req.Done
			}
			writeJSON(w, http.StatusOK, map[string]any{"task": t})
			return
		}
	}
	writeJSON(w, http.StatusNotFound, errorsBody("task", "not found"))
}

func (s *tasksAPI) getSettings(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"settings": s.settings})
}

func (s *tasksAPI) putSettings(w http.ResponseWriter, r *http.Request) {
	if !sleepCtx(r.Context(), 400*time.Millisecond) {
		return
	}
	var req taskSettings
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, errorsBody("body", "must be JSON"))
		return
	}
	if strings.TrimSpace(req.DisplayName) == "" {
		writeJSON(w, http.StatusUnprocessableEntity, errorsBody("displayName", "can't be blank"))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settings = req
	writeJSON(w, http.StatusOK, map[string]any{"settings": s.settings})
}

// board finds a board by its id in the URL; archived boards are not found.
func (s *tasksAPI) board(id string) *board {
	n, err := strconv.Atoi(id)
	if err != nil {
		return nil
	}
	for _, b := range s.boards {
		if b.ID == n && !b.Archived {
			return b
		}
	}
	return nil
}
